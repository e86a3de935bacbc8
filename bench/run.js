/**
 * Runs every benchmark, one child process each, and prints their tables with the machine they ran
 * on: `node run.js` (the figures in README.md) or `node run.js --smoke` (tiny counts: checks that
 * each one runs and prints). Names on the command line run only those: `node run.js memory`.
 * Exits non-zero when a benchmark fails, crashes or overruns its time limit; a missed target is
 * printed as MISSED but is a figure, not a failure.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeMachine } from './lib/machine.js';

const BENCHMARKS = [
  'fast-path',
  'throughput',
  'hook-cost',
  'amplification',
  'memory',
  'pipeline',
  'coalescing',
  'redis',
  'import',
];
const here = (path) => fileURLToPath(new URL(path, import.meta.url));

const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const picked = args.filter((arg) => !arg.startsWith('--'));
const unknown = picked.filter((name) => !BENCHMARKS.includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark: ${unknown.join(', ')} (known: ${BENCHMARKS.join(', ')})`);
  process.exit(2);
}
// Smoke runs must fit CI's budget; full runs are long but still bounded.
const timeLimitMs = smoke ? 60_000 : 20 * 60_000;

function runBenchmark(name) {
  const file = here(`./${name}.js`);
  if (!existsSync(file)) return Promise.resolve({ name, result: 'not written yet' });
  const argv = ['--expose-gc', here('./lib/run-one.js'), file, ...(smoke ? ['--smoke'] : [])];
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, argv, { stdio: 'inherit' });
    const timer = setTimeout(() => {
      console.error(`${name}: still running after ${timeLimitMs / 1000} s, stopping it`);
      child.kill('SIGKILL');
    }, timeLimitMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const ok = code === 0;
      resolve({
        name,
        ok,
        result: ok ? `ran in ${seconds} s` : `FAILED (${signal ?? `exit ${code}`}) after ${seconds} s`,
      });
    });
  });
}

const machine = describeMachine();
console.log(
  `SupportDesk SDK benchmarks${smoke ? ' (smoke: tiny counts, figures mean nothing)' : ''}\n` +
    `${machine.cores} cores, ${machine.cpu}, Node ${machine.node}, ${machine.date}, load average ${machine.loadAverage.toFixed(2)}`,
);

const results = [];
for (const name of picked.length > 0 ? picked : BENCHMARKS) results.push(await runBenchmark(name));

console.log('\n### Summary\n');
for (const { name, result } of results) console.log(`- ${name}: ${result}`);
console.log(
  `\nLoad average at the end: ${describeMachine().loadAverage.toFixed(2)} (${machine.cores} cores).`,
);
if (results.some((r) => r.ok === false)) process.exitCode = 1;
