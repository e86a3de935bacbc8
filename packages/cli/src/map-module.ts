import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from './usage-error.js';

/** What `--map` loads: the `mapUser` of the import. */
export type MapUser = (row: unknown) => unknown;

const firstLine = (error: unknown): string => String((error as Error)?.message ?? error).split('\n')[0] ?? '';

/**
 * Loads the `--map` module, resolved from the working directory (a file there, or else a package
 * name as `require` resolves it from there): its default export is `mapUser`. ESM (`export default`)
 * and CommonJS (`module.exports = fn`, or a transpiled `exports.default`) both work.
 */
export async function loadMapModule(specifier: string, cwd: string): Promise<MapUser> {
  let file: string;
  try {
    const local = resolve(cwd, specifier);
    const isPath = specifier.startsWith('.') || isAbsolute(specifier) || existsSync(local);
    file = isPath ? local : createRequire(join(cwd, 'noop.js')).resolve(specifier);
  } catch (error) {
    throw new UsageError(`--map ${specifier}: cannot find it from ${cwd}: ${firstLine(error)}`);
  }
  let loaded: { default?: unknown };
  try {
    loaded = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    throw new UsageError(`--map ${specifier}: cannot load it: ${firstLine(error)}`);
  }
  let mapUser = loaded.default;
  if (typeof mapUser === 'object' && mapUser !== null && 'default' in mapUser) mapUser = mapUser.default;
  if (typeof mapUser !== 'function')
    throw new UsageError(
      `--map ${specifier}: its default export must be a function (row) => ({ externalId, email, name, … }), got ${typeof mapUser}`,
    );
  return mapUser as MapUser;
}
