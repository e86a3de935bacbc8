import { type Emulator, startEmulator } from '@supportdesk/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SupportDeskClient } from '../../src/client/client.js';
import { CustomerSync } from '../../src/engine/customer-sync.js';
import type { CustomerSyncOptions } from '../../src/engine/options.js';
import { CustomerEmailExistsError, SupportDeskAuthError } from '../../src/errors.js';
import { ada, failOnUnhandledRejections, manualClock, recordingLogger } from '../support/engines.js';

failOnUnhandledRejections();

const API_KEY = 'sk_live_engine_test_0123456789';
let emulator: Emulator;
const engines: CustomerSync<never>[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterEach(async () => {
  await Promise.all(engines.splice(0).map((sync) => sync.close(50)));
  emulator.reset();
});
afterAll(async () => {
  await emulator.close();
});

function engine(options: CustomerSyncOptions<typeof ada> = {}) {
  const sync = new CustomerSync({
    apiKey: API_KEY,
    baseUrl: emulator.baseUrl,
    flushOnExit: false,
    onError: () => {},
    ...options,
  });
  engines.push(sync as CustomerSync<never>);
  return sync;
}

const upserts = () => emulator.requests.filter((request) => request.method === 'PATCH');

describe('against the emulator', () => {
  it('sends one upsert for 500 concurrent identifies of one user, with the mapped body', async () => {
    const sync = engine({ mapUser: (user) => ({ externalId: user.id, name: user.name, email: user.email }) });
    await Promise.all(Array.from({ length: 500 }, () => sync.identify(ada)));
    expect(upserts()).toHaveLength(1);
    expect(upserts()[0]?.body).toEqual({ name: 'Ada Lovelace', email: 'ada@example.com' });
    expect(emulator.customers(API_KEY)).toEqual([
      expect.objectContaining({ externalId: 'u1', name: 'Ada Lovelace' }),
    ]);
  });

  it('sends one upsert for 100 sequential identifies, and one more after a name change', async () => {
    const sync = engine();
    for (let i = 0; i < 100; i++) await sync.identify(ada);
    expect(upserts()).toHaveLength(1);
    expect(await sync.identify({ ...ada, name: 'Ada King' })).toMatchObject({
      status: 'synced',
      wasCreated: false,
    });
    expect(upserts()).toHaveLength(2);
  });

  it('sends a user whose email is taken once in 20 identifies, and reports it once', async () => {
    const setup = new SupportDeskClient({ apiKey: API_KEY, baseUrl: emulator.baseUrl });
    await setup.upsertCustomer('someone-else', { email: ada.email, name: 'Other' });
    const onError = vi.fn();
    const sync = engine({ onError });
    const before = upserts().length;
    for (let i = 0; i < 20; i++) await sync.identify(ada);
    expect(upserts().length - before).toBe(1);
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]?.[0]).toBeInstanceOf(CustomerEmailExistsError);
  });

  it('stops sending after a 401 and reports it once', async () => {
    const onError = vi.fn();
    const sync = engine({ onError, apiKey: 'sk_wrong' });
    emulator.inject({ status: 401, times: 1 });
    expect((await sync.identify(ada)).error).toBeInstanceOf(SupportDeskAuthError);
    for (const id of ['a', 'b', 'c']) expect((await sync.identify({ ...ada, id })).status).toBe('failed');
    expect(upserts()).toHaveLength(1);
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('pauses on a long Retry-After and sends what waited once it has passed', async () => {
    const clock = manualClock();
    const sync = engine({ now: clock.now, concurrency: 1 });
    emulator.inject({ status: 429, retryAfter: 120, times: 1 });
    const first = sync.identify(ada);
    const second = sync.identify({ ...ada, id: 'u2', email: 'u2@example.com' });
    await vi.waitFor(() => expect(sync.stats().queued).toBe(2));
    clock.advance(120_000);
    void sync.identify({ ...ada, id: 'u3', email: 'u3@example.com' });
    expect((await first).status).toBe('synced');
    expect((await second).status).toBe('synced');
    await sync.flush();
    expect(
      emulator
        .customers(API_KEY)
        .map((customer) => customer.externalId)
        .sort(),
    ).toEqual(['u1', 'u2', 'u3']);
  });

  it('sends nobody else during a short 429 pause, however many slots are free', async () => {
    const sync = engine({ concurrency: 4 });
    emulator.inject({ status: 429, retryAfter: 1, times: 1, externalId: 'u1' });
    const first = sync.identify(ada);
    await vi.waitFor(() => expect(upserts()).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const others = Array.from({ length: 5 }, (_, i) =>
      sync.identify({ ...ada, id: `o${i}`, email: `o${i}@example.com` }),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(upserts()).toHaveLength(1);

    const outcomes = await Promise.all([first, ...others]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(Array(6).fill('synced'));
    const times = upserts().map((request) => Date.parse(request.receivedAt));
    const rateLimitedAt = times[0] as number;
    expect(Math.min(...times.slice(1)) - rateLimitedAt).toBeGreaterThanOrEqual(950);
  });

  it('sends the rate-limited user first once the pause is over', async () => {
    const sync = engine({ concurrency: 1 });
    emulator.inject({ status: 429, retryAfter: 1, times: 1, externalId: 'u1' });
    const first = sync.identify(ada);
    await vi.waitFor(() => expect(upserts()).toHaveLength(1));
    const second = sync.identify({ ...ada, id: 'u2', email: 'u2@example.com' });
    await Promise.all([first, second]);
    expect(upserts().map((request) => request.externalId)).toEqual(['u1', 'u1', 'u2']);
  });

  it('sends everything pending on close()', async () => {
    const sync = engine();
    emulator.inject({ latencyMs: 50 });
    for (let i = 0; i < 10; i++) void sync.identify({ ...ada, id: `u${i}`, email: `u${i}@example.com` });
    await sync.close();
    expect(emulator.customers(API_KEY)).toHaveLength(10);
  });

  it('resolves close() by its deadline while the upstream hangs', async () => {
    const sync = engine({ timeoutMs: 30_000, maxRetries: 0 });
    emulator.inject({ latencyMs: 30_000 });
    const outcome = sync.identify(ada);
    await vi.waitFor(() => expect(emulator.requests).toHaveLength(1));
    await sync.close(100);
    expect(await outcome).toMatchObject({ status: 'failed', error: { code: 'CLOSED' } });
  });

  it('never puts the API key in a log line or an error it reports', async () => {
    const { lines, logger } = recordingLogger();
    const reported: unknown[] = [];
    const sync = engine({ logger, onError: (error, event) => reported.push(error.toJSON(), event) });
    await sync.identify(ada);
    emulator.inject({ status: 500, times: 3 });
    await sync.identify({ ...ada, id: 'u5xx', email: 'x@example.com' });
    emulator.inject({ status: 401 });
    await sync.identify({ ...ada, id: 'u401', email: 'y@example.com' });
    await sync.identify({ ...ada, id: 'bad', email: 'not-an-email' });
    expect(lines.length).toBeGreaterThan(3);
    const text = JSON.stringify([lines, reported]);
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain('ada@example.com');
  });
});
