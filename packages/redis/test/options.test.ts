import { inspect } from 'node:util';
import { SupportDeskConfigError } from '@supportdesk/core';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisSyncStore, type RedisSyncStoreOptions } from '../src/index.js';

// lazyConnect: these clients are never used, and the store must not connect them.
const client = new Redis({ lazyConnect: true, password: 'hunter2-secret' });

afterAll(() => client.disconnect());

describe('new RedisSyncStore(options)', () => {
  it('accepts an ioredis client without connecting it', () => {
    new RedisSyncStore({ client });
    expect(client.status).toBe('wait');
  });

  it.each([
    ['no client', undefined],
    ['a URL string', 'redis://127.0.0.1:6379'],
    ['a plain object', {}],
    ['a node-redis style client', { evalSha: () => {}, isReady: true }],
  ])('refuses %s as client with SupportDeskConfigError', (_label, value) => {
    const options = { client: value } as unknown as RedisSyncStoreOptions;
    expect(() => new RedisSyncStore(options)).toThrow(SupportDeskConfigError);
  });

  it('says how to fix a missing client', () => {
    const options = {} as RedisSyncStoreOptions;
    expect(() => new RedisSyncStore(options)).toThrow(/new Redis\(url\)/);
  });

  it('refuses a missing options object', () => {
    expect(() => new RedisSyncStore(undefined as unknown as RedisSyncStoreOptions)).toThrow(
      SupportDeskConfigError,
    );
  });

  it.each([[''], [42]])('refuses %j as prefix', (prefix) => {
    const options = { client, prefix } as unknown as RedisSyncStoreOptions;
    expect(() => new RedisSyncStore(options)).toThrow(SupportDeskConfigError);
  });

  it.each([[0], [-1], [Number.NaN], [Number.POSITIVE_INFINITY], ['100']])(
    'refuses %j as timeoutMs',
    (timeoutMs) => {
      const options = { client, timeoutMs } as unknown as RedisSyncStoreOptions;
      expect(() => new RedisSyncStore(options)).toThrow(SupportDeskConfigError);
    },
  );

  it('refuses an unknown option, naming it', () => {
    const options = { client, ttl: 5 } as unknown as RedisSyncStoreOptions;
    expect(() => new RedisSyncStore(options)).toThrow(/"ttl"/);
  });

  it('treats undefined options as their defaults', () => {
    expect(() => new RedisSyncStore({ client, prefix: undefined, timeoutMs: undefined })).not.toThrow();
  });

  it('refuses a second engine with another namespace', () => {
    const store = new RedisSyncStore({ client });
    store.init({ namespace: 'account-a' });
    expect(() => store.init({ namespace: 'account-b' })).toThrow(SupportDeskConfigError);
  });

  it('rejects every call once two engines with different namespaces shared it', async () => {
    const store = new RedisSyncStore({ client });
    store.init({ namespace: 'account-a' });
    expect(() => store.init({ namespace: 'account-b' })).toThrow();
    await expect(store.claim('user_1', 'fp1', 1_000)).rejects.toBeInstanceOf(SupportDeskConfigError);
  });

  it('ignores an unknown option set to undefined', () => {
    const options = { client, ttl: undefined } as unknown as RedisSyncStoreOptions;
    expect(() => new RedisSyncStore(options)).not.toThrow();
  });

  it('accepts init again with the same namespace', () => {
    const store = new RedisSyncStore({ client });
    store.init({ namespace: 'account-a' });
    expect(() => store.init({ namespace: 'account-a' })).not.toThrow();
  });

  it('shows neither the client nor its password in inspect or JSON', () => {
    const store = new RedisSyncStore({ client });
    expect(inspect(store, { depth: 10 })).not.toContain('hunter2');
    expect(JSON.stringify(store)).not.toContain('hunter2');
  });

  it('rejects at once, without connecting, while the client is not ready', async () => {
    const store = new RedisSyncStore({ client });
    await expect(store.claim('user_1', 'fp1', 1_000)).rejects.toMatchObject({
      name: 'SupportDeskConnectionError',
      message: expect.stringContaining('wait'),
    });
    expect(client.status).toBe('wait');
  });
});
