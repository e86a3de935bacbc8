import type { SyncOutcome } from '@supportdesk/core';
import { type Emulator, startEmulator } from '@supportdesk/emulator';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectClient } from './support/clients.js';
import { createEngine, identifyEverywhere, makeUsers, type TestEngine } from './support/engines.js';
import { type RedisServer, skipWithoutRedis, startRedisServer, waitFor } from './support/redis-server.js';

const SERVED = new Set(['synced', 'skipped', 'coalesced']);

describe.skipIf(skipWithoutRedis)('CustomerSync on a RedisSyncStore when Redis goes away', () => {
  let server: RedisServer;
  let emulator: Emulator;
  let clients: Redis[] = [];
  let engines: TestEngine[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
    emulator = await startEmulator({ port: 0 });
  });

  afterAll(async () => {
    await emulator?.close();
    await server?.kill();
  });

  beforeEach(async () => {
    // Each test kills Redis; start every test on a running, empty one.
    await server.start();
    emulator.reset();
    clients = await Promise.all([connectClient(server.url), connectClient(server.url)]);
    engines = clients.map((client) => createEngine(emulator.baseUrl, client));
  });

  afterEach(async () => {
    await Promise.all(engines.map(({ sync }) => sync.close()));
    for (const client of clients) client.disconnect();
  });

  it('keeps serving every identify when Redis is killed mid-run', async () => {
    const users = makeUsers(40);
    const outcomes: SyncOutcome[] = [];
    let killed: Promise<void> | undefined;
    // Two engines identify concurrently; the kill lands while store calls of either are in flight.
    const drive = async ({ sync }: TestEngine) => {
      for (const user of users) {
        if (outcomes.length >= users.length) killed ??= server.kill();
        outcomes.push(await sync.identify(user));
      }
    };
    await Promise.all(engines.map(drive));
    await killed;
    expect(outcomes.filter((outcome) => !SERVED.has(outcome.status))).toEqual([]);
    expect(outcomes).toHaveLength(users.length * engines.length);
  });

  it('falls back to each engine sending on its own while Redis is down', async () => {
    await server.kill();
    const users = makeUsers(5, 'down');
    await identifyEverywhere(engines, users);
    expect(users.map((user) => emulator.upsertCount(user.id))).toEqual(users.map(() => engines.length));
  });

  it('reports the unavailable store once per engine however many identifies fail over', async () => {
    await identifyEverywhere(engines, makeUsers(3, 'before'));
    await server.kill();
    for (const user of makeUsers(20, 'during')) await identifyEverywhere(engines, [user]);
    expect(engines.map((engine) => engine.unavailableReports())).toEqual([1, 1]);
  });

  it('dedupes across engines again once Redis is back', async () => {
    await server.kill();
    await identifyEverywhere(engines, makeUsers(3, 'during'));
    await server.start();
    await waitFor(() => clients.every((client) => client.status === 'ready'));
    const users = makeUsers(10, 'after');
    await identifyEverywhere(engines, users);
    expect(users.map((user) => emulator.upsertCount(user.id))).toEqual(users.map(() => 1));
  });

  it('says so once the store answers again', async () => {
    await server.kill();
    await identifyEverywhere(engines, makeUsers(1, 'during'));
    await server.start();
    await waitFor(() => clients.every((client) => client.status === 'ready'));
    await identifyEverywhere(engines, makeUsers(1, 'after'));
    const recovered = engines.map(
      ({ lines }) => lines.filter((line) => line.fields.code === 'STORE_RECOVERED').length,
    );
    expect(recovered).toEqual([1, 1]);
  });
});
