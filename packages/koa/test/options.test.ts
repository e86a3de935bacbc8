import { describe, expect, it, vi } from 'vitest';
import {
  CustomerSync,
  SupportDeskConfigError,
  type SyncCustomersOptions,
  syncCustomers,
} from '../src/index.js';
import { API_KEY, emulator, koaVersions, mapUser, onCleanup, startHarness } from './support/harness.js';

describe.each(koaVersions)('syncCustomers options on $name', ({ Koa }) => {
  it('exposes the engine it feeds as middleware.sync', async () => {
    const { sdk } = await startHarness(Koa);

    expect(sdk.sync).toBeInstanceOf(CustomerSync);
  });

  it('holds the response until the customer is upserted with awaitSync', async () => {
    const upstream = await emulator();
    upstream.inject({ latencyMs: 300 });
    const { http } = await startHarness(Koa, { awaitSync: true }, upstream);

    await http.get('/hello').set('x-user-id', 'user_1').expect(200, { hello: 'Ada Lovelace' });

    expect(upstream.customers(API_KEY).map((customer) => customer.externalId)).toEqual(['user_1']);
  });

  it('answers unchanged with awaitSync when SupportDesk fails', async () => {
    const upstream = await emulator();
    upstream.inject({ status: 503 });
    const { http, sdk } = await startHarness(Koa, { awaitSync: true }, upstream);

    await http.get('/hello').set('x-user-id', 'user_1').expect(200, { hello: 'Ada Lovelace' });

    expect(sdk.sync.stats()).toMatchObject({ synced: 0, failed: 1 });
  });

  it('answers after awaitSyncTimeoutMs while SupportDesk rate-limits for 30 s', async () => {
    const upstream = await emulator();
    upstream.inject({ status: 429, retryAfter: 30 });
    const { http, sdk } = await startHarness(
      Koa,
      { awaitSync: true, awaitSyncTimeoutMs: 200, onError: () => {} },
      upstream,
    );
    const startedAt = Date.now();

    await http.get('/hello').set('x-user-id', 'user_1').expect(200, { hello: 'Ada Lovelace' });

    // A bound, not a benchmark: well under the 30 s pause, whatever the machine's load.
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(sdk.sync.stats().queued).toBe(1);
    // The queued sync would hold close() until its deadline: give it none.
    await sdk.sync.close(0);
  });

  it('lets a downstream error through unchanged with awaitSync', async () => {
    const { http, errors, boom, emulator: upstream } = await startHarness(Koa, { awaitSync: true });

    await http.get('/boom').set('x-user-id', 'user_1').expect(500, 'Internal Server Error');

    expect(errors[0]).toBe(boom);
    expect(upstream.customers(API_KEY).map((customer) => customer.externalId)).toEqual(['user_1']);
  });

  it('shares one engine between middlewares given the same sync', async () => {
    const upstream = await emulator();
    const sync = new CustomerSync({ apiKey: API_KEY, baseUrl: upstream.baseUrl, maxRetries: 0, mapUser });
    onCleanup(() => sync.close());
    const first = await startHarness(Koa, { sync }, upstream);
    const second = await startHarness(Koa, { sync }, upstream);

    await first.http.get('/hello').set('x-user-id', 'user_1').expect(200);
    await second.http.get('/hello').set('x-user-id', 'user_1').expect(200);
    await sync.flush();

    expect(first.sdk.sync).toBe(sync);
    expect(second.sdk.sync).toBe(sync);
    expect(upstream.requestCount).toBe(1);
  });

  it('sends nothing and needs no API key when enabled is false', async () => {
    const upstream = await emulator();
    const { http, sdk } = await startHarness(Koa, { enabled: false, apiKey: undefined }, upstream);

    await http.get('/hello').set('x-user-id', 'user_1').expect(200, { hello: 'Ada Lovelace' });
    await sdk.sync.flush();

    expect(upstream.requestCount).toBe(0);
  });
});

describe('syncCustomers configuration errors', () => {
  const disabledEngine = () => {
    const sync = new CustomerSync({ enabled: false });
    onCleanup(() => sync.close());
    return sync;
  };

  it.each<[string, () => SyncCustomersOptions]>([
    ['options that are not an object', () => 'sd_key' as unknown as SyncCustomersOptions],
    ['a getUser that is not a function', () => ({ apiKey: API_KEY, getUser: 'user' as never })],
    ['an awaitSync that is not a boolean', () => ({ apiKey: API_KEY, awaitSync: 'yes' as never })],
    ['a sync that is not a CustomerSync', () => ({ sync: {} as CustomerSync })],
    ['a sync mixed with engine options', () => ({ sync: disabledEngine(), apiKey: API_KEY })],
    ['a negative ttlMs', () => ({ apiKey: API_KEY, ttlMs: -1 })],
  ])('throws SupportDeskConfigError at creation for %s', (_, options) => {
    expect(() => syncCustomers(options())).toThrow(SupportDeskConfigError);
  });

  it('throws SupportDeskConfigError naming syncCustomers without an API key in production', () => {
    vi.stubEnv('SUPPORTDESK_API_KEY', undefined);
    vi.stubEnv('NODE_ENV', 'production');
    onCleanup(async () => vi.unstubAllEnvs());

    expect(() => syncCustomers({ mapUser })).toThrow(SupportDeskConfigError);
    expect(() => syncCustomers({ mapUser })).toThrow(/^syncCustomers: missing SupportDesk API key/);
  });

  it('starts disabled without an API key outside production, and says how to set one', async () => {
    vi.stubEnv('SUPPORTDESK_API_KEY', undefined);
    vi.stubEnv('NODE_ENV', 'test');
    onCleanup(async () => vi.unstubAllEnvs());
    const warnings: string[] = [];
    const logger = {
      debug() {},
      info() {},
      warn: (_: unknown, message: string) => warnings.push(message),
      error() {},
    };

    const middleware = syncCustomers({ mapUser, logger });
    expect(
      await middleware.sync.identify({ id: 'u1', name: 'Ada', email: 'ada@example.com', plan: 'free' }),
    ).toEqual({
      status: 'ignored',
    });
    expect(warnings).toEqual([expect.stringMatching(/^syncCustomers: no SupportDesk API key/)]);
  });
});
