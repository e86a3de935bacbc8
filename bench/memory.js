/**
 * Figure 4, memory. (a) Bytes per cached user: the settled heap after 100,000 users are cached,
 * minus the heap before the cache was made, over 100,000; once for MemorySyncStore alone and once
 * for a whole CustomerSync. (b) Bounded: the settled heap while 1,000,000 distinct users pass
 * through an engine with the default `maxEntries`; it must plateau, not grow with the users.
 * The upstream is an injected instant `fetch` (lib/upstream.js): the figure is the engine's, not
 * a server's.
 */
import { CustomerSync, MemorySyncStore, SupportDeskClient } from '@supportdesk/core';
import { runIfMain } from './lib/cli.js';
import { settledHeapUsed } from './lib/heap.js';
import { formatBytes, formatCount } from './lib/stats.js';
import { printTable, verdict } from './lib/table.js';
import { BENCH_API_KEY, instantUpstreamFetch } from './lib/upstream.js';
import { mapUser } from './lib/users.js';

const TARGET_BYTES_PER_USER = 200;
const PLATEAU_TOLERANCE = 0.1;
const BATCH_SIZE = 500;
const SETTINGS = {
  full: { cachedUsers: 100_000, distinctUsers: 1_000_000, checkpoints: 10 },
  smoke: { cachedUsers: 2_000, distinctUsers: 30_000, checkpoints: 3 },
};

// Users are made on the fly and dropped, so the heap holds only what the cache keeps of them.
const userAt = (prefix, i) => ({
  id: `${prefix}_${i}`,
  email: `${prefix}_${i}@bench.example`,
  name: `User ${i}`,
  plan: 'free',
});

function instantEngine(options) {
  const client = new SupportDeskClient({
    apiKey: BENCH_API_KEY,
    baseUrl: 'http://127.0.0.1:9/api/v1',
    fetch: instantUpstreamFetch(),
  });
  return new CustomerSync({ client, mapUser, ...options });
}

/** Identifies users `from`..`to` of `prefix`, in batches the default `maxQueueSize` accepts. */
async function identifyRange(sync, prefix, from, to) {
  for (let start = from; start < to; start += BATCH_SIZE) {
    const end = Math.min(start + BATCH_SIZE, to);
    const batch = [];
    for (let i = start; i < end; i += 1) batch.push(sync.identify(userAt(prefix, i)));
    await Promise.all(batch);
  }
  await sync.flush();
}

/** A fingerprint shaped like the engine's (a 53-bit integer in base 36), made fresh for each user. */
const fingerprintAt = (i) => (Number.MAX_SAFE_INTEGER - i * 7919).toString(36);

function storeBytesPerUser(userCount) {
  const before = settledHeapUsed();
  const store = new MemorySyncStore({ maxEntries: userCount });
  store.init?.({ namespace: 'bench' });
  for (let i = 0; i < userCount; i += 1) {
    const externalId = `store_${i}`;
    const fingerprint = fingerprintAt(i);
    store.claim(externalId, fingerprint, 30_000);
    store.commit(externalId, fingerprint, 3_600_000);
  }
  const after = settledHeapUsed();
  store.close?.();
  return (after - before) / userCount;
}

async function engineBytesPerUser(userCount) {
  // A throw-away run first, so code compiled on first use is not counted as cache.
  const warm = instantEngine({});
  await identifyRange(warm, 'warm', 0, 1_000);
  await warm.close();
  const before = settledHeapUsed();
  const sync = instantEngine({ maxEntries: userCount });
  await identifyRange(sync, 'cached', 0, userCount);
  const after = settledHeapUsed();
  const { synced } = sync.stats();
  await sync.close();
  if (synced !== userCount) throw new Error(`engine synced ${synced} of ${userCount} users`);
  return (after - before) / userCount;
}

async function heapOverDistinctUsers({ distinctUsers, checkpoints }) {
  const before = settledHeapUsed();
  const sync = instantEngine({});
  const points = [];
  const step = distinctUsers / checkpoints;
  try {
    for (let point = 1; point <= checkpoints; point += 1) {
      await identifyRange(sync, 'distinct', (point - 1) * step, point * step);
      points.push({
        users: point * step,
        heapDelta: settledHeapUsed() - before,
        synced: sync.stats().synced,
      });
    }
  } finally {
    await sync.close();
  }
  return points;
}

/** Resolves to the bytes per cached user (store, engine) and the heap at each checkpoint. */
export async function run({ smoke = false } = {}) {
  const settings = smoke ? SETTINGS.smoke : SETTINGS.full;
  const store = storeBytesPerUser(settings.cachedUsers);
  const engine = await engineBytesPerUser(settings.cachedUsers);
  printTable(
    `Memory: bytes per cached user, ${formatCount(settings.cachedUsers)} users cached`,
    ['cache', 'bytes / user', `target < ${TARGET_BYTES_PER_USER} B`],
    [
      ['MemorySyncStore (claim + commit)', Math.round(store), verdict(store < TARGET_BYTES_PER_USER)],
      ['CustomerSync (identify, default store)', Math.round(engine), verdict(engine < TARGET_BYTES_PER_USER)],
    ],
    ['Settled heap (after full GC) with the users cached, minus the heap before the cache was made.'],
  );

  const points = await heapOverDistinctUsers(settings);
  const first = points[0];
  const last = points[points.length - 1];
  // Every checkpoint is past maxEntries, so the cache is full at each: a leak shows as a slope.
  const bounded = last.heapDelta <= first.heapDelta * (1 + PLATEAU_TOLERANCE);
  printTable(
    `Memory: heap while ${formatCount(settings.distinctUsers)} distinct users pass through one engine (default maxEntries)`,
    ['users identified', 'heap growth', 'synced'],
    points.map((p) => [formatCount(p.users), formatBytes(p.heapDelta), formatCount(p.synced)]),
    [
      `Growth from the first checkpoint to the last: ${formatBytes(last.heapDelta - first.heapDelta)}` +
        ` while ${formatCount(last.users - first.users)} more users were cached and evicted.`,
      `Bounded (the last checkpoint within ${PLATEAU_TOLERANCE * 100}% of the first): ${verdict(bounded)}.`,
    ],
  );
  return { storeBytesPerUser: store, engineBytesPerUser: engine, points, bounded };
}

runIfMain(import.meta.url, run);
