/**
 * Redis store: what a fleet sends, and what the shared dedupe costs per identify.
 *
 * 1. Fleet: 4 engines (one per app instance, each with its own Redis connection) each identify
 *    10,000 times among the same 500 users, in concurrent batches as requests would arrive. The
 *    upserts the emulator answers are counted with every engine on its own in-memory store,
 *    then with every engine on one RedisSyncStore.
 * 2. Per identify: a new engine (empty in-memory cache) identifies users already committed in
 *    Redis one at a time, so each identify is one Redis round trip answered `fresh`: the Redis
 *    path. The same engine then identifies them again: the in-memory path, which is what most
 *    requests of a long-running instance take whatever the store.
 *
 * Spawns its own redis-server on a free loopback port (persistence off) and kills it at the end.
 * Run: pnpm turbo run build --filter=@supportdesk/redis... && node bench/redis.js [--smoke]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { CustomerSync } from '@supportdesk/core';
import { RedisSyncStore } from '@supportdesk/redis';
import { Redis } from 'ioredis';
import { runIfMain } from './lib/cli.js';
import { describeMachine } from './lib/machine.js';
import { formatCount, median, range } from './lib/stats.js';
import { printTable } from './lib/table.js';
import { BENCH_API_KEY, startCountingEmulator } from './lib/upstream.js';
import { makeUsers, mapUser } from './lib/users.js';

const SETTINGS = {
  full: { engines: 4, identifies: 10_000, users: 500, batch: 50, rounds: 7 },
  smoke: { engines: 4, identifies: 500, users: 50, batch: 10, rounds: 1 },
};
const REDIS_START_TIMEOUT_MS = 5_000;

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function startRedisServer() {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`redis-server did not start:\n${output}`)),
      REDIS_START_TIMEOUT_MS,
    );
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run redis-server (is it on PATH?): ${error.message}`));
    });
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout.resume();
        resolve();
      }
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    version: await redisVersion(),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

async function redisVersion() {
  const child = spawn('redis-server', ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  await once(child, 'exit');
  return /v=(\S+)/.exec(output)?.[1] ?? 'unknown';
}

async function connect(url) {
  const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
  await client.connect();
  return client;
}

/** Engines that must see no failure: a failed upsert or store call would skew the counts. */
function createEngine(baseUrl, store, failures) {
  return new CustomerSync({
    apiKey: BENCH_API_KEY,
    baseUrl,
    mapUser,
    store,
    flushOnExit: false,
    onError: (error) => failures.push(error),
  });
}

/** `identifies` identifies by one engine, `batch` at a time; engines start at different users. */
async function drive(sync, users, engineIndex, { identifies, batch, engines }) {
  const offset = Math.floor((engineIndex * users.length) / engines);
  for (let start = 0; start < identifies; start += batch) {
    const pending = [];
    for (let i = start; i < Math.min(start + batch, identifies); i++) {
      pending.push(sync.identify(users[(offset + i) % users.length]));
    }
    await Promise.all(pending);
  }
  await sync.flush();
}

async function runFleet(kind, { upstream, redisUrl, users, settings }) {
  upstream.reset();
  const clients = [];
  const failures = [];
  const syncs = [];
  for (let e = 0; e < settings.engines; e++) {
    let store;
    if (kind === 'redis') {
      const client = await connect(redisUrl);
      clients.push(client);
      store = new RedisSyncStore({ client });
    }
    syncs.push(createEngine(upstream.baseUrl, store, failures));
  }
  const started = process.hrtime.bigint();
  await Promise.all(syncs.map((sync, e) => drive(sync, users, e, settings)));
  const elapsedNs = Number(process.hrtime.bigint() - started);
  await Promise.all(syncs.map((sync) => sync.close()));
  for (const client of clients) client.disconnect();
  if (failures.length > 0)
    throw new Error(`${kind} fleet: ${failures.length} failures, first: ${failures[0].message}`);
  return { upserts: upstream.upserts(), nsPerIdentify: elapsedNs / (settings.engines * settings.identifies) };
}

/** ns per identify of one engine identifying `users` one at a time. */
async function timeSequential(sync, users) {
  const started = process.hrtime.bigint();
  for (const user of users) await sync.identify(user);
  return Number(process.hrtime.bigint() - started) / users.length;
}

/** ns per PING on the same connection: the loopback round trip the Redis path cannot avoid. */
async function timePings(client, count) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await client.ping();
  return Number(process.hrtime.bigint() - started) / count;
}

async function runPerIdentify({ upstream, redisUrl, users, settings }) {
  const client = await connect(redisUrl);
  const failures = [];
  const redisPath = [];
  const memoryPath = [];
  const pingPath = [];
  try {
    for (let round = 0; round < settings.rounds; round++) {
      const sync = createEngine(upstream.baseUrl, new RedisSyncStore({ client }), failures);
      const before = upstream.upserts();
      pingPath.push(await timePings(client, users.length));
      redisPath.push(await timeSequential(sync, users));
      memoryPath.push(await timeSequential(sync, users));
      await sync.close();
      if (upstream.upserts() !== before)
        throw new Error('per-identify run sent upserts: users were not committed');
    }
  } finally {
    client.disconnect();
  }
  if (failures.length > 0) throw new Error(`per-identify run: ${failures[0].message}`);
  return { redisPath, memoryPath, pingPath };
}

/** @param {{ smoke?: boolean }} [options] */
export async function run({ smoke = false } = {}) {
  const settings = smoke ? SETTINGS.smoke : SETTINGS.full;
  const users = makeUsers(settings.users, 'redis_user');
  const redis = await startRedisServer();
  const upstream = await startCountingEmulator();
  try {
    const context = { upstream, redisUrl: redis.url, users, settings };
    const memory = await runFleet('memory', context);
    const shared = await runFleet('redis', context);
    // The Redis fleet run left every user committed, which the per-identify run relies on.
    const { redisPath, memoryPath, pingPath } = await runPerIdentify(context);

    const { engines, identifies } = settings;
    printTable(
      `Redis store: ${engines} engines × ${formatCount(identifies)} identifies of ${users.length} users`,
      ['store', 'upserts at the emulator', 'per user', 'ns per identify, whole run (upserts included)'],
      [
        [
          'in-memory (each engine its own)',
          formatCount(memory.upserts),
          (memory.upserts / users.length).toFixed(2),
          formatCount(memory.nsPerIdentify),
        ],
        [
          'RedisSyncStore (shared)',
          formatCount(shared.upserts),
          (shared.upserts / users.length).toFixed(2),
          formatCount(shared.nsPerIdentify),
        ],
      ],
    );
    const spread = (values) => {
      const { min, max } = range(values);
      return `${formatCount(min)} – ${formatCount(max)}`;
    };
    printTable(
      `Per identify, one at a time (median of ${settings.rounds} rounds × ${users.length} users)`,
      ['path', 'ns per identify', 'range'],
      [
        ['Redis path (memory miss, Redis answers fresh)', formatCount(median(redisPath)), spread(redisPath)],
        ['in-memory path (memory hit, no Redis call)', formatCount(median(memoryPath)), spread(memoryPath)],
        ['baseline: one Redis PING round trip', formatCount(median(pingPath)), spread(pingPath)],
      ],
    );
    const machine = describeMachine();
    console.log(
      `\n${machine.cores} cores, ${machine.cpu}, Node ${machine.node}, redis-server ${redis.version}, ${machine.date}, load average ${machine.loadAverage.toFixed(2)}${smoke ? ' (smoke run: figures not representative)' : ''}`,
    );
    return { memory, shared, redisPath, memoryPath, pingPath };
  } finally {
    await upstream.close();
    await redis.stop();
  }
}

runIfMain(import.meta.url, run);
