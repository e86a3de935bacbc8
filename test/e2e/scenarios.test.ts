// One scenario table, run against every adapter over real HTTP: a real app on 127.0.0.1 and
// the emulator as SupportDesk.
import { type Emulator, startEmulator } from '@supportdesk/emulator';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adapters, type RunningApp } from './apps.js';

const apiKey = 'sk_e2e';
const alice = { id: 'alice', name: 'Alice Liddell' };

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

describe.each(Object.entries(adapters))('%s', (_name, start) => {
  let emulator: Emulator;
  let app: RunningApp | undefined;

  const launch = async (baseUrl = emulator.baseUrl) => {
    app = await start({ apiKey, baseUrl, maxRetries: 0, timeoutMs: 2_000 });
    return app;
  };
  const get = (path: string, user?: { id: string; name: string }) =>
    fetch(`${app?.url}${path}`, { headers: user ? { 'x-user-id': user.id, 'x-user-name': user.name } : {} });
  const upsertsOf = (externalId: string) =>
    emulator.requests.filter((r) => r.externalId === externalId).length;

  beforeEach(async () => {
    emulator = await startEmulator({ port: 0 });
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await emulator.close();
    expect(unhandled).toEqual([]);
  });

  it('syncs a user set by route-level auth after the middleware, once per window', async () => {
    await launch();
    for (let i = 0; i < 5; i++) {
      const response = await get('/me', alice);
      expect(response.status).toBe(200);
      await response.arrayBuffer();
      await app?.sync.flush();
    }
    expect(upsertsOf('alice')).toBe(1);
    expect(emulator.customers(apiKey)).toMatchObject([
      { externalId: 'alice', email: 'alice@example.com', name: 'Alice Liddell' },
    ]);
  });

  it('sends a changed user again', async () => {
    await launch();
    await (await get('/me', alice)).arrayBuffer();
    await app?.sync.flush();
    await (await get('/me', { id: 'alice', name: 'Alice Hargreaves' })).arrayBuffer();
    await app?.sync.flush();
    expect(upsertsOf('alice')).toBe(2);
    expect(emulator.customers(apiKey)[0]?.name).toBe('Alice Hargreaves');
  });

  it('sends nothing for anonymous requests', async () => {
    await launch();
    expect(await (await get('/public')).text()).toBe('public');
    expect((await get('/me')).status).toBe(200);
    await app?.sync.flush();
    expect(emulator.requests).toHaveLength(0);
  });

  it('still syncs the user of a request whose handler throws, and keeps its error response', async () => {
    await launch();
    const response = await get('/boom', alice);
    expect(response.status).toBe(500);
    await response.arrayBuffer();
    await app?.sync.flush();
    expect(upsertsOf('alice')).toBe(1);
  });

  it.each([
    ['answers 500', { status: 500 }],
    ['answers 401', { status: 401 }],
  ])('answers requests unchanged while SupportDesk %s', async (_label, fault) => {
    await launch();
    emulator.inject(fault);
    const response = await get('/me', alice);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: 'alice' });
    await app?.sync.flush();
    expect(upsertsOf('alice')).toBe(1);
    expect(emulator.customers(apiKey)).toHaveLength(0);
  });

  it('answers requests unchanged while SupportDesk rate-limits, and sends the sync after Retry-After', async () => {
    await launch();
    emulator.inject({ status: 429, retryAfter: 1, times: 1 });
    const response = await get('/me', alice);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: 'alice' });
    await app?.sync.flush();
    expect(upsertsOf('alice')).toBe(2);
    expect(emulator.customers(apiKey)).toMatchObject([{ externalId: 'alice' }]);
  });

  it('answers before a slow SupportDesk has answered the sync', async () => {
    await launch();
    emulator.inject({ latencyMs: 1_500 });
    const response = await get('/me', alice);
    expect(await response.json()).toEqual({ id: 'alice' });
    expect(emulator.customers(apiKey)).toHaveLength(0);
    await app?.sync.flush();
    expect(emulator.customers(apiKey)).toHaveLength(1);
  });

  it('answers requests unchanged while SupportDesk is down', async () => {
    const { baseUrl } = emulator;
    await emulator.close();
    await launch(baseUrl);
    const response = await get('/me', alice);
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    await app?.sync.flush();
    expect(app?.sync.stats().failed).toBe(1);
  });

  it('sends pending syncs when the app shuts down', async () => {
    await launch();
    emulator.inject({ latencyMs: 300 });
    await (await get('/me', alice)).arrayBuffer();
    await app?.close();
    app = undefined;
    expect(emulator.customers(apiKey)).toMatchObject([{ externalId: 'alice' }]);
  });
});
