/**
 * Figure 5, pipeline efficiency: N new users identified at once, upstream latency 20 ms,
 * `concurrency` 4. The bound is N × 20 / 4 ms (4 upserts always in flight, nothing else costing
 * time); the figure is bound / measured time (target >= 0.9). Beside it, the same upserts sent by
 * a hand-written loop of 4 workers over the bare client: what this machine and emulator allow.
 * The emulator runs in a child process, as a real upstream runs elsewhere: its CPU must not
 * queue in the event loop that is being timed.
 */
import { CustomerSync, SupportDeskClient } from '@supportdesk/core';
import { runIfMain } from './lib/cli.js';
import { startEmulatorProcess } from './lib/emulator-process.js';
import { formatCount } from './lib/stats.js';
import { printTable, verdict } from './lib/table.js';
import { BENCH_API_KEY } from './lib/upstream.js';
import { makeUsers, mapUser } from './lib/users.js';

const TARGET_EFFICIENCY = 0.9;
const LATENCY_MS = 20;
const CONCURRENCY = 4;
const SETTINGS = { full: { userCount: 1_000 }, smoke: { userCount: 40 } };

async function timeEngine(upstream, users) {
  const sync = new CustomerSync({
    apiKey: BENCH_API_KEY,
    baseUrl: upstream.baseUrl,
    mapUser,
    concurrency: CONCURRENCY,
  });
  try {
    const started = performance.now();
    const outcomes = users.map((user) => sync.identify(user));
    await sync.flush();
    const elapsedMs = performance.now() - started;
    const statuses = (await Promise.all(outcomes)).map((outcome) => outcome.status);
    return {
      elapsedMs,
      stats: sync.stats(),
      synced: statuses.filter((status) => status === 'synced').length,
    };
  } finally {
    await sync.close();
  }
}

async function timeWorkerLoop(upstream, users) {
  const client = new SupportDeskClient({ apiKey: BENCH_API_KEY, baseUrl: upstream.baseUrl });
  let next = 0;
  let synced = 0;
  const worker = async () => {
    while (next < users.length) {
      const { externalId, ...input } = mapUser(users[next]);
      next += 1;
      await client.upsertCustomer(externalId, input);
      synced += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { elapsedMs: performance.now() - started, synced };
}

/** Resolves to the engine's and the worker loop's efficiency against the bound. */
export async function run({ smoke = false } = {}) {
  const { userCount } = smoke ? SETTINGS.smoke : SETTINGS.full;
  const boundMs = (userCount * LATENCY_MS) / CONCURRENCY;
  const upstream = await startEmulatorProcess({ latencyMs: LATENCY_MS });
  let engine;
  let loop;
  try {
    engine = await timeEngine(upstream, makeUsers(userCount, 'pipeline_engine'));
    engine.upserts = await upstream.upserts();
    await upstream.reset();
    loop = await timeWorkerLoop(upstream, makeUsers(userCount, 'pipeline_loop'));
    loop.upserts = await upstream.upserts();
  } finally {
    await upstream.close();
  }
  const efficiency = (elapsedMs) => boundMs / elapsedMs;
  const perSlot = (elapsedMs) => ((elapsedMs * CONCURRENCY) / userCount).toFixed(1);
  printTable(
    `Pipeline: ${formatCount(userCount)} new users, upstream latency ${LATENCY_MS} ms, concurrency ${CONCURRENCY} (bound ${formatCount(boundMs)} ms)`,
    ['sender', 'measured ms', 'upserts', 'synced', 'bound / measured', `target >= ${TARGET_EFFICIENCY}`],
    [
      [
        'CustomerSync (identify all, flush)',
        Math.round(engine.elapsedMs),
        engine.upserts,
        engine.synced,
        efficiency(engine.elapsedMs).toFixed(3),
        verdict(efficiency(engine.elapsedMs) >= TARGET_EFFICIENCY),
      ],
      [
        '4 workers over SupportDeskClient',
        Math.round(loop.elapsedMs),
        loop.upserts,
        loop.synced,
        efficiency(loop.elapsedMs).toFixed(3),
        '-',
      ],
    ],
    [
      `Engine outcomes: ${engine.stats.synced} synced, ${engine.stats.dropped} dropped, ${engine.stats.failed} failed.`,
      `Time per upsert and slot (measured × ${CONCURRENCY} / ${userCount}): engine ${perSlot(engine.elapsedMs)} ms,` +
        ` worker loop ${perSlot(loop.elapsedMs)} ms, against ${LATENCY_MS} ms of upstream latency;` +
        ` engine / worker loop time: ${(engine.elapsedMs / loop.elapsedMs).toFixed(3)}.`,
    ],
  );
  return { boundMs, engine, loop, efficiency: efficiency(engine.elapsedMs) };
}

runIfMain(import.meta.url, run);
