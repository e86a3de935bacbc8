import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const tsup = fileURLToPath(new URL('../../../node_modules/.bin/tsup', import.meta.url));

/** A build of the package laid out as its tarball is: dist/ plus every entry of `files`. */
export interface BuiltPackage {
  dir: string;
  remove(): void;
}

/**
 * Build with the package's own tsup.config.ts (types left out, for speed) into a private folder,
 * so a test never races a workspace build of dist/, and copy what `files` ships beside it.
 */
export function buildPackage(): BuiltPackage {
  const dir = mkdtempSync(join(tmpdir(), 'supportdesk-emulator-built-'));
  execFileSync(tsup, ['--out-dir', join(dir, 'dist'), '--no-dts', '--silent'], {
    cwd: packageDir,
    stdio: 'pipe',
  });
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { files: string[] };
  for (const entry of [...manifest.files, 'package.json'])
    if (entry !== 'dist') cpSync(join(packageDir, entry), join(dir, entry), { recursive: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
