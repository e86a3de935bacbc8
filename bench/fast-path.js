/**
 * Figure 1, the fast path: what `identify` costs for a user already synced with an unchanged
 * payload (the common request), in ns per call, minus a baseline loop that runs only `mapUser`
 * over the same users. Rounds alternate baseline and engine and the medians are compared, so a
 * noisy neighbour slows both; the best round is printed too, as the figure least disturbed by
 * other load on a shared machine. Also the settled heap growth over a run of fast-path calls, and
 * the upserts the emulator received during it (must be 0: no network on the fast path).
 */
import { availableParallelism, loadavg } from 'node:os';
import { CustomerSync, defaultMapUser } from '@supportdesk/core';
import { runIfMain } from './lib/cli.js';
import { settledHeapUsed } from './lib/heap.js';
import { formatBytes, formatCount, median } from './lib/stats.js';
import { printTable, verdict } from './lib/table.js';
import { BENCH_API_KEY, startCountingEmulator } from './lib/upstream.js';
import { makeUsers, mapUser } from './lib/users.js';

const TARGET_NS = 1_000;
const SETTINGS = {
  full: { users: 1_000, callsPerRound: 200_000, rounds: 21, heapCalls: 1_000_000 },
  smoke: { users: 50, callsPerRound: 20_000, rounds: 2, heapCalls: 20_000 },
};

// Short prefixes keep the users realistic (ids like `a_42`, emails like `a_42@bench.example`).
const CASES = [
  { name: 'custom mapUser (with metadata)', prefix: 'a', mapUser },
  { name: 'default mapping (no mapUser)', prefix: 'b', mapUser: undefined },
];

/** ns per call of `call(users[i % n])`; the sink keeps the JIT from dropping the work. */
function timeLoop(users, calls, call) {
  let sink = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) if (call(users[i % users.length]) !== undefined) sink++;
  const elapsed = Number(process.hrtime.bigint() - started);
  if (sink !== calls) throw new Error('a call returned undefined');
  return elapsed / calls;
}

async function measureCase(settings, upstream, { name, prefix, mapUser: given }) {
  const users = makeUsers(settings.users, prefix);
  const sync = new CustomerSync({
    apiKey: BENCH_API_KEY,
    baseUrl: upstream.baseUrl,
    mapUser: given,
    maxEntries: settings.users * 2,
    flushOnExit: false,
  });
  const map = given ?? defaultMapUser;
  for (const user of users) void sync.identify(user);
  await sync.flush();
  if (sync.stats().synced !== users.length) throw new Error(`only ${sync.stats().synced} users synced`);
  const upsertsBefore = upstream.upserts();

  const baseline = [];
  const engine = [];
  // One unmeasured round of each, so both loops are optimised before timing.
  timeLoop(users, settings.callsPerRound / 10, map);
  timeLoop(users, settings.callsPerRound / 10, (user) => sync.identify(user));
  for (let round = 0; round < settings.rounds; round++) {
    baseline.push(timeLoop(users, settings.callsPerRound, map));
    engine.push(timeLoop(users, settings.callsPerRound, (user) => sync.identify(user)));
  }

  const heapBefore = settledHeapUsed();
  timeLoop(users, settings.heapCalls, (user) => sync.identify(user));
  await new Promise((resolve) => setImmediate(resolve));
  const heapGrowth = settledHeapUsed() - heapBefore;

  const stats = sync.stats();
  const upserts = upstream.upserts() - upsertsBefore;
  await sync.close();
  if (upserts !== 0 || stats.synced !== users.length)
    throw new Error(`the fast path sent ${upserts} upserts`);
  const overheads = engine.map((ns, round) => ns - baseline[round]);
  return {
    name,
    baseline: median(baseline),
    engine: median(engine),
    overhead: median(overheads),
    best: Math.min(...overheads),
    heapGrowth,
    skipped: stats.skipped,
  };
}

export async function run({ smoke = false } = {}) {
  const settings = smoke ? SETTINGS.smoke : SETTINGS.full;
  const loadBefore = loadavg()[0];
  const upstream = await startCountingEmulator();
  const results = [];
  try {
    for (const each of CASES) results.push(await measureCase(settings, upstream, each));
  } finally {
    await upstream.close();
  }
  printTable(
    'Fast path: identify of an already-synced, unchanged user',
    [
      'case',
      'mapUser only (ns)',
      'identify (ns)',
      'overhead (ns)',
      'best round (ns)',
      `target < ${TARGET_NS} ns`,
      'heap growth',
      'skipped',
    ],
    results.map((result) => [
      result.name,
      result.baseline.toFixed(0),
      result.engine.toFixed(0),
      result.overhead.toFixed(0),
      result.best.toFixed(0),
      verdict(result.overhead < TARGET_NS),
      `${formatBytes(result.heapGrowth)} over ${formatCount(settings.heapCalls)} calls`,
      formatCount(result.skipped),
    ]),
    [
      `${formatCount(settings.users)} users cycled, ${settings.rounds} rounds of ${formatCount(settings.callsPerRound)} calls; ` +
        'overhead = identify - mapUser only, per round, median (verdict) and best; 0 upserts reached the emulator.',
      `Load average (1 min) ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after, on ${availableParallelism()} cores.`,
    ],
  );
}

runIfMain(import.meta.url, run);
