import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('keeps a script alive through a 429 pause until the import resolves', () => {
  const fixture = fileURLToPath(new URL('./fixtures/import-while-paused.mjs', import.meta.url));
  const result = spawnSync(process.execPath, [fixture], { encoding: 'utf8', timeout: 15_000 });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(JSON.parse(result.stdout)).toEqual({ created: 3, requests: 4 });
});
