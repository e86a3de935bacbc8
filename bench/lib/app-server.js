/**
 * Child process that serves variants of one adapter's app (an entry of ADAPTERS in
 * throughput.js), so the apps and the load generator (the parent) run on separate event loops
 * and separate cores. argv: one JSON object `{ adapter, variants, baseUrl, userCount, cpu }`:
 * it pins itself to `cpu`, then talks to the parent over IPC. It sends
 * `{ type: 'ready', ports, pinned }`; it answers `flush` with `{ type: 'flushed', stats }`,
 * `cpu` with `{ type: 'cpu', micros, gcCount, gcMicros }` (its CPU time so far, user + system,
 * all threads, and its garbage collections so far: how many, how long), `profile-start` and
 * `profile-stop` (a V8 CPU profile, written to `path`) with `profiling` and `profiled`, and
 * `close` with `{ type: 'closed' }`, then exits once nothing is left open.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { PerformanceObserver } from 'node:perf_hooks';
import { pinToCpu } from './pin.js';
import { makeUsers } from './users.js';

if (process.send === undefined) {
  console.error('usage: fork app-server.js <JSON { adapter, variants, baseUrl, userCount, cpu }> (with IPC)');
  process.exit(2);
}
const { adapter, variants, baseUrl, userCount, cpu } = JSON.parse(process.argv[2] ?? '{}');
const pinned = pinToCpu(cpu);
const start = (await import(`./${adapter.module}`))[adapter.start];

// Garbage collection so far: how often and how long, which an adapter's allocations drive.
const gc = { count: 0, micros: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gc.count += 1;
    gc.micros += entry.duration * 1000;
  }
}).observe({ entryTypes: ['gc'] });

const users = makeUsers(userCount, `${adapter.id}_user`);
const apps = {};
for (const variant of variants) {
  apps[variant] = await start({ ...adapter.options, users, variant, baseUrl });
}

let profiler;
async function startProfile() {
  profiler = new Session();
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}

async function stopProfile(path) {
  const { profile } = await profiler.post('Profiler.stop');
  profiler.disconnect();
  await writeFile(path, JSON.stringify(profile));
}

async function closeAll() {
  await Promise.all(Object.values(apps).map((app) => app.close()));
}

process.on('message', (message) => {
  if (message?.type === 'flush') {
    Promise.resolve(apps.sync.flush()).then(() =>
      process.send({ type: 'flushed', stats: apps.sync.stats() }),
    );
  } else if (message?.type === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send({ type: 'cpu', micros: user + system, gcCount: gc.count, gcMicros: gc.micros });
  } else if (message?.type === 'profile-start') {
    startProfile().then(() => process.send({ type: 'profiling' }));
  } else if (message?.type === 'profile-stop') {
    stopProfile(message.path).then(() => process.send({ type: 'profiled' }));
  } else if (message?.type === 'close') {
    closeAll().then(() => {
      process.send({ type: 'closed' });
      process.disconnect();
    });
  }
});
// An orphan must not outlive its parent (a killed bench run).
process.once('disconnect', () => void closeAll().catch(() => undefined));

const ports = Object.fromEntries(Object.entries(apps).map(([variant, app]) => [variant, app.port]));
process.send({ type: 'ready', ports, pinned });
