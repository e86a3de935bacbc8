import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Whether the module at `moduleUrl` is the script node was started with (not an import). */
export function isMain(moduleUrl) {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

/** The value of `--name=value` on the command line, or `undefined`. */
function flag(argv, name) {
  const prefix = `--${name}=`;
  return argv.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
}

/**
 * Options every benchmark's `run` takes, read from the command line: `--smoke`; and, for the
 * benchmarks that use them, `--only=a,b` (a subset by id), `--rounds=N`, `--duration=S` (seconds
 * per run) and `--cpu-prof=<dir>`.
 */
export function optionsFromArgv(argv = process.argv.slice(2)) {
  const only = flag(argv, 'only');
  const rounds = flag(argv, 'rounds');
  const duration = flag(argv, 'duration');
  return {
    smoke: argv.includes('--smoke'),
    only: only === undefined ? undefined : only.split(','),
    rounds: rounds === undefined ? undefined : Number(rounds),
    durationS: duration === undefined ? undefined : Number(duration),
    cpuProfileDir: flag(argv, 'cpu-prof'),
  };
}

/**
 * Runs `run` when `moduleUrl` is the entry script, so each benchmark works both as
 * `node throughput.js [--smoke]` and as an import of run.js. A failure sets the exit code
 * instead of throwing, and nothing here forces an exit: a handle left open shows as a hang.
 */
export function runIfMain(moduleUrl, run) {
  if (!isMain(moduleUrl)) return;
  run(optionsFromArgv()).catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
