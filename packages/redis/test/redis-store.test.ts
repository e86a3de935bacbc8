import { SupportDeskConnectionError, SupportDeskErrorCode } from '@supportdesk/core';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RedisSyncStore } from '../src/index.js';
import { connectClient } from './support/clients.js';
import { type RedisServer, skipWithoutRedis, startRedisServer, waitFor } from './support/redis-server.js';

const LEASE_MS = 10_000;
const TTL_MS = 60_000;

describe.skipIf(skipWithoutRedis)('RedisSyncStore against redis-server', () => {
  let server: RedisServer;
  let client: Redis;
  let admin: Redis;

  function store(namespace = 'ns', prefix?: string): RedisSyncStore {
    const created = new RedisSyncStore({ client, prefix });
    created.init({ namespace });
    return created;
  }

  beforeAll(async () => {
    server = await startRedisServer();
    client = await connectClient(server.url);
    admin = await connectClient(server.url);
  });

  afterAll(async () => {
    client?.disconnect();
    admin?.disconnect();
    await server?.kill();
  });

  beforeEach(async () => {
    await admin.flushall();
  });

  afterEach(async () => {
    await admin.call('CLIENT', 'UNPAUSE');
  });

  it('claims a user it has never seen', async () => {
    await expect(store().claim('user_1', 'fp1', LEASE_MS)).resolves.toBe('claimed');
  });

  it('answers fresh for the fingerprint committed within ttlMs', async () => {
    const a = store();
    await a.claim('user_1', 'fp1', LEASE_MS);
    await a.commit('user_1', 'fp1', TTL_MS);
    await expect(store().claim('user_1', 'fp1', LEASE_MS)).resolves.toBe('fresh');
  });

  it('claims again when the payload changed since the commit', async () => {
    const a = store();
    await a.commit('user_1', 'fp1', TTL_MS);
    await expect(store().claim('user_1', 'fp2', LEASE_MS)).resolves.toBe('claimed');
  });

  it('grants exactly one of many concurrent claims from separate connections', async () => {
    const clients = await Promise.all(Array.from({ length: 8 }, () => connectClient(server.url)));
    try {
      const stores = clients.map((own) => {
        const created = new RedisSyncStore({ client: own });
        created.init({ namespace: 'ns' });
        return created;
      });
      const answers = await Promise.all(stores.map((s) => s.claim('user_1', 'fp1', LEASE_MS)));
      expect(answers.filter((answer) => answer === 'claimed')).toHaveLength(1);
      expect(answers.filter((answer) => answer === 'busy')).toHaveLength(7);
    } finally {
      for (const own of clients) own.disconnect();
    }
  });

  it('answers busy while another store holds a live lease', async () => {
    await store().claim('user_1', 'fp1', LEASE_MS);
    await expect(store().claim('user_1', 'fp1', LEASE_MS)).resolves.toBe('busy');
  });

  it('answers busy for a changed payload while another store holds a live lease', async () => {
    await store().claim('user_1', 'fp1', LEASE_MS);
    await expect(store().claim('user_1', 'fp2', LEASE_MS)).resolves.toBe('busy');
  });

  it('lets the lease holder claim again', async () => {
    const a = store();
    await a.claim('user_1', 'fp1', LEASE_MS);
    await expect(a.claim('user_1', 'fp1', LEASE_MS)).resolves.toBe('claimed');
  });

  it('lets another store claim after a release', async () => {
    const a = store();
    await a.claim('user_1', 'fp1', LEASE_MS);
    await a.release('user_1', 'fp1');
    await expect(store().claim('user_1', 'fp1', LEASE_MS)).resolves.toBe('claimed');
  });

  it('does not release a lease held by another store', async () => {
    await store().claim('user_1', 'fp1', LEASE_MS);
    await store().release('user_1', 'fp1');
    await expect(store().claim('user_1', 'fp1', LEASE_MS)).resolves.toBe('busy');
  });

  it('does not release its lease for another fingerprint', async () => {
    const a = store();
    await a.claim('user_1', 'fp1', LEASE_MS);
    await a.release('user_1', 'fp0');
    await expect(store().claim('user_1', 'fp1', LEASE_MS)).resolves.toBe('busy');
  });

  it('drops the lease on commit', async () => {
    const a = store();
    await a.claim('user_1', 'fp1', LEASE_MS);
    await a.commit('user_1', 'fp1', TTL_MS);
    await expect(store().claim('user_1', 'fp2', LEASE_MS)).resolves.toBe('claimed');
  });

  it('keeps the committed fingerprint fresh when a later claim is released', async () => {
    const a = store();
    await a.commit('user_1', 'fp1', TTL_MS);
    await a.claim('user_1', 'fp2', LEASE_MS);
    await a.release('user_1', 'fp2');
    await expect(store().claim('user_1', 'fp1', LEASE_MS)).resolves.toBe('fresh');
  });

  it('keeps the live lease of another store when committing', async () => {
    const a = store();
    const b = store();
    await a.claim('user_1', 'fp1', 50);
    await waitFor(async () => (await b.claim('user_1', 'fp2', LEASE_MS)) === 'claimed');
    await a.commit('user_1', 'fp1', TTL_MS);
    await expect(store().claim('user_1', 'fp3', LEASE_MS)).resolves.toBe('busy');
  });

  it('lets another store claim once the lease has lapsed', async () => {
    await store().claim('user_1', 'fp1', 50);
    const b = store();
    await waitFor(async () => (await b.claim('user_1', 'fp1', LEASE_MS)) === 'claimed');
    await expect(store().claim('user_1', 'fp1', LEASE_MS)).resolves.toBe('busy');
  });

  it('has Redis expire a committed user after ttlMs', async () => {
    await store().commit('user_1', 'fp1', 100);
    await waitFor(async () => (await admin.exists('supportdesk:ns:user_1')) === 0);
    await expect(store().claim('user_1', 'fp1', LEASE_MS)).resolves.toBe('claimed');
  });

  it('sets the key expiry to ttlMs on commit', async () => {
    await store().commit('user_1', 'fp1', TTL_MS);
    const pttl = await admin.pttl('supportdesk:ns:user_1');
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(TTL_MS);
  });

  it('deletes the key when a lease on a new user is released', async () => {
    const a = store();
    await a.claim('user_1', 'fp1', LEASE_MS);
    await a.release('user_1', 'fp1');
    expect(await admin.exists('supportdesk:ns:user_1')).toBe(0);
  });

  it('writes keys under the given prefix', async () => {
    await store('ns', 'myapp:sd').commit('user_1', 'fp1', TTL_MS);
    expect(await admin.keys('*')).toEqual(['myapp:sd:ns:user_1']);
  });

  it('keeps namespaces apart', async () => {
    await store('account-a').commit('user_1', 'fp1', TTL_MS);
    await expect(store('account-b').claim('user_1', 'fp1', LEASE_MS)).resolves.toBe('claimed');
  });

  it('keeps a colon in the namespace apart from a colon in the externalId', async () => {
    await store('a').commit('b:c', 'fp1', TTL_MS);
    await expect(store('a:b').claim('c', 'fp1', LEASE_MS)).resolves.toBe('claimed');
  });

  const oddIds = [
    'a:b',
    'a/b',
    'a b',
    '%',
    '%d800',
    '{tag}',
    '*',
    '\n',
    'ü',
    'u\u0308',
    '😀',
    '\uD83D',
    '\uDE00',
    '\uD83D%',
    'x'.repeat(255),
  ];

  it('gives every odd externalId its own key', async () => {
    const a = store();
    for (const [i, id] of oddIds.entries()) await a.commit(id, `fp${i}`, TTL_MS);
    expect(await admin.dbsize()).toBe(oddIds.length);
    const answers = await Promise.all(oddIds.map((id, i) => store().claim(id, `fp${i}`, LEASE_MS)));
    expect(answers).toEqual(oddIds.map(() => 'fresh'));
  });

  it('runs its scripts again after Redis forgot them', async () => {
    const a = store();
    await a.claim('user_1', 'fp1', LEASE_MS);
    await admin.script('FLUSH');
    await expect(a.commit('user_1', 'fp1', TTL_MS)).resolves.toBeUndefined();
    await expect(store().claim('user_1', 'fp1', LEASE_MS)).resolves.toBe('fresh');
  });

  it('rejects with a connection error when Redis refuses the command', async () => {
    await admin.set('supportdesk:ns:user_1', 'not a hash');
    const error = await store()
      .claim('user_1', 'fp1', LEASE_MS)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SupportDeskConnectionError);
    expect(error).toMatchObject({ code: SupportDeskErrorCode.CONNECTION_ERROR, externalId: 'user_1' });
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('rejects with a timeout when Redis does not answer within timeoutMs', async () => {
    const slow = new RedisSyncStore({ client, timeoutMs: 20 });
    await admin.call('CLIENT', 'PAUSE', '2000', 'WRITE');
    await expect(slow.claim('user_1', 'fp1', LEASE_MS)).rejects.toMatchObject({
      name: 'SupportDeskConnectionError',
      code: SupportDeskErrorCode.TIMEOUT,
    });
  });

  it('rejects after close() and leaves the client open', async () => {
    const a = store();
    a.close();
    await expect(a.claim('user_1', 'fp1', LEASE_MS)).rejects.toMatchObject({
      code: SupportDeskErrorCode.CLOSED,
    });
    expect(client.status).toBe('ready');
  });

  it('holds sending for every store of the namespace, by Redis time, and reports none after', async () => {
    const a = store('ns');
    const b = store('ns');
    await a.holdSending('rate-limit', 1_000);
    const held = await b.sendingHeld();
    expect(held.authMs).toBe(0);
    expect(held.rateLimitMs).toBeGreaterThan(0);
    expect(held.rateLimitMs).toBeLessThanOrEqual(1_000);
    await waitFor(async () => (await b.sendingHeld()).rateLimitMs === 0, { timeoutMs: 5_000 });
    // Redis expires the key by its own millisecond clock, up to a millisecond after the script
    // saw the hold end: the key goes, it is not left behind.
    await waitFor(async () => (await admin.exists('supportdesk:ns|hold')) === 0);
  });

  it('never shortens a longer hold of the same reason, and keeps the reasons apart', async () => {
    const a = store('ns');
    await a.holdSending('auth', 60_000);
    await a.holdSending('auth', 1_000);
    await a.holdSending('rate-limit', 2_000);
    const held = await a.sendingHeld();
    expect(held.authMs).toBeGreaterThan(59_000);
    expect(held.rateLimitMs).toBeGreaterThan(1_000);
    expect(held.rateLimitMs).toBeLessThanOrEqual(2_000);
    expect(await admin.pttl('supportdesk:ns|hold')).toBeGreaterThan(59_000);
  });

  it('keeps the holds of another namespace (another account) apart', async () => {
    await store('account-a').holdSending('rate-limit', 60_000);
    expect(await store('account-b').sendingHeld()).toEqual({ rateLimitMs: 0, authMs: 0 });
  });
});
