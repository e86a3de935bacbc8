import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Api from '../src/index.js';
import { type BuiltPackage, buildPackage } from './built-package.js';

let built: BuiltPackage | undefined;

beforeAll(() => {
  built = buildPackage();
});

afterAll(() => {
  built?.remove();
});

async function servesDashboard(api: typeof Api): Promise<[number, string | null, number]> {
  const emulator = await api.startEmulator();
  try {
    const page = await fetch(emulator.dashboardUrl);
    await page.text();
    const script = await fetch(`${emulator.url}/__emulator/dashboard/app.js`);
    await script.text();
    return [page.status, page.headers.get('content-type'), script.status];
  } finally {
    await emulator.close();
  }
}

describe('the built package', () => {
  it('serves the dashboard from the ESM build', async () => {
    const api = (await import(pathToFileURL(join(built?.dir as string, 'dist/index.js')).href)) as typeof Api;
    expect(await servesDashboard(api)).toEqual([200, 'text/html; charset=utf-8', 200]);
  });

  it('serves the dashboard from the CommonJS build', async () => {
    const api = createRequire(import.meta.url)(join(built?.dir as string, 'dist/index.cjs')) as typeof Api;
    expect(await servesDashboard(api)).toEqual([200, 'text/html; charset=utf-8', 200]);
  });

  it('ships the dashboard files in the tarball and leaves the screenshot out', () => {
    const packageDir = fileURLToPath(new URL('..', import.meta.url));
    const [report] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: packageDir,
        encoding: 'utf8',
      }),
    ) as Array<{ files: Array<{ path: string }> }>;
    const paths = report?.files.map((file) => file.path) ?? [];
    expect(paths).toEqual(
      expect.arrayContaining([
        'dashboard/index.html',
        'dashboard/app.js',
        'dashboard/style.css',
        'dashboard/favicon.svg',
      ]),
    );
    expect(paths.filter((path) => path.endsWith('.png'))).toEqual([]);
  });
});
