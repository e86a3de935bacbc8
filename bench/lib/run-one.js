/**
 * Runs one benchmark file in this process: `node --expose-gc lib/run-one.js <file> [--smoke]`.
 * A file that exports `run({ smoke })` is called; a file without it runs on import, reading
 * `--smoke` from the command line itself. run.js starts one of these per benchmark, so each
 * measures in a fresh heap and a hang or crash stays in its own process.
 */
import { pathToFileURL } from 'node:url';
import { optionsFromArgv } from './cli.js';

const [file] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: node lib/run-one.js <benchmark file> [--smoke]');
  process.exit(2);
}
const benchmark = await import(pathToFileURL(file).href);
if (typeof benchmark.run === 'function') await benchmark.run(optionsFromArgv());
