import { type Emulator, startEmulator } from '@supportdesk/emulator';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectClient } from './support/clients.js';
import { createEngine, identifyEverywhere, makeUsers, type TestEngine } from './support/engines.js';
import { type RedisServer, skipWithoutRedis, startRedisServer, waitFor } from './support/redis-server.js';

const ENGINES = 4;

describe.skipIf(skipWithoutRedis)('CustomerSync engines sharing a RedisSyncStore', () => {
  let server: RedisServer;
  let emulator: Emulator;
  let admin: Redis;
  let clients: Redis[] = [];
  let engines: TestEngine[] = [];

  async function startEngines(count: number, options?: { ttlMs?: number }): Promise<TestEngine[]> {
    const fresh = await Promise.all(Array.from({ length: count }, () => connectClient(server.url)));
    clients.push(...fresh);
    const created = fresh.map((client) => createEngine(emulator.baseUrl, client, options));
    engines.push(...created);
    return created;
  }

  beforeAll(async () => {
    server = await startRedisServer();
    emulator = await startEmulator({ port: 0 });
    admin = await connectClient(server.url);
  });

  afterAll(async () => {
    admin?.disconnect();
    await emulator?.close();
    await server?.kill();
  });

  beforeEach(async () => {
    await admin.flushall();
    emulator.reset();
  });

  afterEach(async () => {
    await Promise.all(engines.map(({ sync }) => sync.close()));
    for (const client of clients) client.disconnect();
    engines = [];
    clients = [];
  });

  it('treats a client still connecting at boot as a boot: no warning, and each user sent once', async () => {
    // As the README shows: the engine is built right after new Redis(url), before it is ready.
    const booting = Array.from({ length: 3 }, () => {
      const client = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
      client.on('error', () => {});
      clients.push(client);
      return client;
    });
    expect(booting.map((client) => client.status)).toEqual(['connecting', 'connecting', 'connecting']);
    const created = booting.map((client) => createEngine(emulator.baseUrl, client));
    engines.push(...created);
    const users = makeUsers(20, 'boot');
    await identifyEverywhere(created, users);
    expect(users.map((user) => emulator.upsertCount(user.id))).toEqual(users.map(() => 1));
    expect(created.map((engine) => engine.unavailableReports())).toEqual([0, 0, 0]);
  });

  it('sends exactly one upsert per user when four engines identify the same users at once', async () => {
    const users = makeUsers(25);
    await identifyEverywhere(await startEngines(ENGINES), users);
    expect(users.map((user) => emulator.upsertCount(user.id))).toEqual(users.map(() => 1));
  });

  it('answers skipped on every engine but the one that sent', async () => {
    const users = makeUsers(10);
    const outcomes = await identifyEverywhere(await startEngines(ENGINES), users);
    const synced = outcomes.filter((outcome) => outcome.status === 'synced').length;
    const skipped = outcomes.filter((outcome) => outcome.status === 'skipped').length;
    expect({ synced, skipped }).toEqual({ synced: users.length, skipped: users.length * (ENGINES - 1) });
  });

  it('sends one more upsert per user when the payload changes', async () => {
    const running = await startEngines(ENGINES);
    const users = makeUsers(10);
    await identifyEverywhere(running, users);
    await identifyEverywhere(running, makeUsers(10, 'user', 'premium'));
    expect(users.map((user) => emulator.upsertCount(user.id))).toEqual(users.map(() => 2));
    expect(emulator.customers('sk_test_redis_store')[0]?.metadata).toEqual({ plan: 'premium' });
  });

  it('does not send a user another engine synced, even to a new engine', async () => {
    const [first] = await startEngines(1);
    const [user] = makeUsers(1);
    if (first === undefined || user === undefined) throw new Error('setup');
    await first.sync.identify(user);
    const [late] = await startEngines(1);
    await expect(late?.sync.identify(user)).resolves.toMatchObject({ status: 'skipped' });
    expect(emulator.upsertCount(user.id)).toBe(1);
  });

  it('lets another engine send after an upsert failed', async () => {
    const [first, second] = await startEngines(2);
    const [user] = makeUsers(1);
    if (first === undefined || second === undefined || user === undefined) throw new Error('setup');
    emulator.inject({ status: 503, times: 1, externalId: user.id });
    await expect(first.sync.identify(user)).resolves.toMatchObject({ status: 'failed' });
    await first.sync.flush();
    await expect(second.sync.identify(user)).resolves.toMatchObject({ status: 'synced' });
  });

  it('sends a user again once its entry expired in Redis', async () => {
    const [first] = await startEngines(1, { ttlMs: 150 });
    const [user] = makeUsers(1);
    if (first === undefined || user === undefined) throw new Error('setup');
    await first.sync.identify(user);
    await first.sync.flush();
    await waitFor(async () => (await admin.dbsize()) === 0);
    const [late] = await startEngines(1, { ttlMs: 150 });
    await expect(late?.sync.identify(user)).resolves.toMatchObject({ status: 'synced' });
    expect(emulator.upsertCount(user.id)).toBe(2);
  });
});
