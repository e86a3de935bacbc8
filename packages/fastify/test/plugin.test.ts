import { CustomerSync, SupportDeskConfigError } from '@supportdesk/core';
import { describe, expect, it, vi } from 'vitest';
import { version } from '../package.json';
import { supportDesk } from '../src/index.js';
import {
  API_KEY,
  authenticate,
  frameworks,
  mapTestUser,
  meResponse,
  seedUsers,
  type TestUser,
  usePlugin,
  userOf,
} from './support/apps.js';

describe.each(frameworks)('registering supportDesk on $name', ({ fastify }) => {
  const harness = usePlugin();

  it('decorates the app with its engine as app.supportdesk', async () => {
    const app = await harness.start(fastify);
    expect(app.supportdesk).toBeInstanceOf(CustomerSync);
    expect(app.supportdesk.stats().synced).toBe(0);
  });

  it('covers the routes of a child context registered after it, although registered at the root', async () => {
    const app = harness.track(fastify());
    await app.register(supportDesk<TestUser>, harness.options());
    await app.register(
      async (child) => {
        child.addHook('onRequest', authenticate(seedUsers()));
        child.get('/me', async (request) => meResponse(userOf(request)?.id ?? null));
      },
      { prefix: '/child' },
    );
    const response = await app.inject({ url: '/child/me', headers: { 'x-user': 'user_2' } });
    expect(response.json()).toEqual(meResponse('user_2'));
    await app.supportdesk.flush();
    expect(harness.emulator.upsertCount('user_2')).toBe(1);
  });

  it('sends pending syncs on app.close() and then closes its engine', async () => {
    harness.emulator.inject({ latencyMs: 300 });
    const app = await harness.start(fastify);
    await app.inject({ url: '/me', headers: { 'x-user': 'user_1' } });
    expect(harness.emulator.customers(API_KEY)).toEqual([]);

    await app.close();

    expect(harness.emulator.customers(API_KEY).map((customer) => customer.externalId)).toEqual(['user_1']);
    expect(await app.supportdesk.identify(seedUsers().get('user_2'))).toMatchObject({ status: 'dropped' });
  });

  it('flushes an engine passed as sync on app.close() but leaves it open for its other users', async () => {
    harness.emulator.inject({ latencyMs: 300 });
    const shared = new CustomerSync<TestUser>({
      apiKey: API_KEY,
      baseUrl: harness.emulator.baseUrl,
      mapUser: mapTestUser,
    });
    try {
      const app = fastify();
      app.addHook('onRequest', authenticate(seedUsers()));
      await app.register(supportDesk<TestUser>, { sync: shared });
      app.get('/me', async () => 'me');
      await app.inject({ url: '/me', headers: { 'x-user': 'user_1' } });

      await app.close();

      expect(app.supportdesk).toBe(shared);
      expect(harness.emulator.upsertCount('user_1')).toBe(1);
      expect(harness.emulator.customers(API_KEY)).toHaveLength(1);
      const grace: TestUser = { id: 'user_3', email: 'grace@example.com', name: 'Grace Hopper', plan: 'pro' };
      expect(await shared.identify(grace)).toMatchObject({ status: 'synced' });
    } finally {
      await shared.close();
    }
  });

  it('waits at most 10 s for a shared engine whose upstream hangs, so app.close() returns', async () => {
    harness.emulator.inject({ latencyMs: 60_000 });
    const shared = new CustomerSync<TestUser>({
      apiKey: API_KEY,
      baseUrl: harness.emulator.baseUrl,
      mapUser: mapTestUser,
      maxRetries: 0,
      flushOnExit: false,
    });
    try {
      const app = fastify();
      app.addHook('onRequest', authenticate(seedUsers()));
      await app.register(supportDesk<TestUser>, { sync: shared });
      app.get('/me', async () => 'me');
      await app.inject({ url: '/me', headers: { 'x-user': 'user_1' } });
      await vi.waitFor(() => expect(harness.emulator.requestCount).toBe(1));

      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      let closed = false;
      const closing = app.close().then(() => {
        closed = true;
      });
      await vi.advanceTimersByTimeAsync(9_999);
      expect(closed).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await closing;
      expect(shared.stats().inFlight).toBe(1);
    } finally {
      vi.useRealTimers();
      await shared.close(10);
    }
  });

  it('refuses a second registration on one app, which would sync every request twice', async () => {
    const app = harness.track(fastify());
    await app.register(supportDesk<TestUser>, harness.options());
    await expect(app.register(supportDesk<TestUser>, harness.options())).rejects.toThrow(
      SupportDeskConfigError,
    );
  });

  it('ignores the register options Fastify itself reads (prefix, logLevel)', async () => {
    const app = harness.track(fastify());
    await app.register(supportDesk<TestUser>, { ...harness.options(), prefix: '/api', logLevel: 'warn' });
    expect(app.supportdesk).toBeInstanceOf(CustomerSync);
  });

  it('names itself in the User-Agent with the version of package.json', async () => {
    const app = await harness.start(fastify);
    await app.inject({ url: '/me', headers: { 'x-user': 'user_1' } });
    await app.supportdesk.flush();
    expect(harness.emulator.requests[0]?.headers['user-agent']).toContain(`supportdesk-fastify/${version}`);
  });
});
