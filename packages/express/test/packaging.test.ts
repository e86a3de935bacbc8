import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as core from '@supportdesk/core';
import { describe, expect, it } from 'vitest';
import * as adapter from '../src/index.js';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));

// A child process resolves '@supportdesk/express' through package.json "exports" to dist/, as a
// user's app would (the test runner itself aliases the sources).
const builtNames = async (script: string, type: 'commonjs' | 'module'): Promise<string[]> => {
  const { stdout } = await run(process.execPath, [`--input-type=${type}`, '-e', script], { cwd: packageDir });
  return JSON.parse(stdout) as string[];
};

const cjsScript = `
const sd = require('@supportdesk/express');
const names = Object.keys(sd).filter((name) => name !== 'default' && name !== '__esModule');
if (typeof sd.syncCustomers !== 'function' || typeof sd.CustomerSync !== 'function') process.exit(2);
console.log(JSON.stringify(names.sort()));
`;

const esmScript = `
const sd = await import('@supportdesk/express');
if (typeof sd.syncCustomers !== 'function' || typeof sd.CustomerSync !== 'function') process.exit(2);
console.log(JSON.stringify(Object.keys(sd).sort()));
`;

const expectedNames = [...Object.keys(core), 'syncCustomers'].sort();

describe('@supportdesk/express exports', () => {
  it("re-exports the core's whole public API plus syncCustomers", () => {
    expect(Object.keys(adapter).sort()).toEqual(expectedNames);
  });

  it('re-exports the very CustomerSync class of the core, so instanceof holds', () => {
    expect(adapter.CustomerSync).toBe(core.CustomerSync);
  });

  describe('the built package', () => {
    it('has been built (pnpm turbo run build --filter=@supportdesk/express)', () => {
      expect(existsSync(new URL('../dist/index.cjs', import.meta.url))).toBe(true);
      expect(existsSync(new URL('../dist/index.js', import.meta.url))).toBe(true);
    });

    it.each([
      ['require() from CommonJS', cjsScript, 'commonjs'],
      ['import from ESM', esmScript, 'module'],
    ] as const)(
      'exposes syncCustomers, CustomerSync and the same names on %s',
      async (_how, script, type) => {
        expect(await builtNames(script, type)).toEqual(expectedNames);
      },
    );
  });
});
