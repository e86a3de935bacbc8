import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));

// Each consumer loads the package by name, builds a disabled middleware and reports what it got.
const probe = (load: string) => `
  ${load}
  const middleware = m.syncCustomers({ enabled: false });
  console.log(JSON.stringify({
    syncCustomers: typeof m.syncCustomers,
    CustomerSync: typeof m.CustomerSync,
    engine: middleware.sync instanceof m.CustomerSync,
    middlewareArity: middleware.length,
  }));
  middleware.sync.close();
`;

const consumers = [
  {
    format: 'CommonJS',
    entry: 'dist/index.cjs',
    args: [
      '-e',
      probe("const m = require('@supportdesk/koa'); console.error(require.resolve('@supportdesk/koa'));"),
    ],
  },
  {
    format: 'ESM',
    entry: 'dist/index.js',
    args: [
      '--input-type=module',
      '-e',
      probe(
        "const m = await import('@supportdesk/koa'); console.error(import.meta.resolve('@supportdesk/koa'));",
      ),
    ],
  },
];

describe('the built package', () => {
  it.each(consumers)('loads with $format from a child process', async ({ entry, args }) => {
    expect(existsSync(new URL(`../${entry}`, import.meta.url)), `build first: ${entry} is missing`).toBe(
      true,
    );

    const { stdout, stderr } = await run(process.execPath, args, { cwd: packageDir });

    expect(stderr.trim().endsWith(entry)).toBe(true);
    expect(JSON.parse(stdout)).toEqual({
      syncCustomers: 'function',
      CustomerSync: 'function',
      engine: true,
      middlewareArity: 2,
    });
  });
});
