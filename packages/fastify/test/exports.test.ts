import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as core from '@supportdesk/core';
import { describe, expect, it } from 'vitest';
import * as adapter from '../src/index.js';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));

const expectedNames = [...Object.keys(core), 'default', 'supportDesk'].sort();

// Each child process resolves '@supportdesk/fastify' through package.json "exports" to dist/, as a
// user's app would (the test runner itself aliases the sources), registers the plugin in every
// way a user may hand it to Fastify, and reports what it got.
const probe = (load: string) => `
  ${load}
  const fastify = require('fastify');
  const results = {};
  for (const [how, plugin] of [['default', sd.default], ['supportDesk', sd.supportDesk], ['module', sd]]) {
    const app = fastify();
    await app.register(plugin, { enabled: false });
    results[how] = app.supportdesk instanceof sd.CustomerSync;
    await app.close();
  }
  console.log(JSON.stringify({ names: Object.keys(sd).filter((name) => name !== '__esModule').sort(), results }));
`;

const consumers = [
  {
    format: 'CommonJS',
    args: [
      '--input-type=module',
      '-e',
      probe(
        "import { createRequire } from 'node:module'; const require = createRequire(process.cwd() + '/'); const sd = require('@supportdesk/fastify');",
      ),
    ],
  },
  {
    format: 'ESM',
    args: [
      '--input-type=module',
      '-e',
      probe(
        "import { createRequire } from 'node:module'; const require = createRequire(process.cwd() + '/'); const sd = await import('@supportdesk/fastify');",
      ),
    ],
  },
];

describe('@supportdesk/fastify exports', () => {
  it("re-exports the core's whole public API plus supportDesk, also as the default export", () => {
    expect(Object.keys(adapter).sort()).toEqual(expectedNames);
    expect(adapter.default).toBe(adapter.supportDesk);
  });

  it('re-exports every export of @supportdesk/core as the same value, so instanceof holds', () => {
    for (const [name, value] of Object.entries(core)) expect(adapter, name).toHaveProperty(name, value);
  });

  describe('the built package', () => {
    it('has been built (pnpm turbo run build --filter=@supportdesk/fastify)', () => {
      expect(existsSync(new URL('../dist/index.cjs', import.meta.url))).toBe(true);
      expect(existsSync(new URL('../dist/index.js', import.meta.url))).toBe(true);
    });

    it.each(consumers)(
      'registers on Fastify from $format, as the default, the named export and the module',
      async ({ args }) => {
        const { stdout } = await run(process.execPath, args, { cwd: packageDir });
        expect(JSON.parse(stdout)).toEqual({
          names: expectedNames,
          results: { default: true, supportDesk: true, module: true },
        });
      },
    );
  });
});
