import { describe, expect, it, vi } from 'vitest';
import { SupportDeskAuthError, SupportDeskRateLimitError } from '../../src/errors.js';
import type { SendingHoldReason, SyncStore } from '../../src/store/store.js';
import { ada, FakeClient, manualClock, recordingLogger, settle, useEngines } from '../support/engines.js';

const { engine } = useEngines();

/**
 * A store shared by several engines in one process, as Redis is shared by several instances:
 * it always grants claims (dedupe is not what these tests are about) and keeps the holds on one
 * clock, counting how often it was asked for them.
 */
function sharedStore(now: () => number, options: { down?: boolean } = {}) {
  const holds: Record<SendingHoldReason, number> = { 'rate-limit': 0, auth: 0 };
  const asked = { sendingHeld: 0, holdSending: 0 };
  const store = {
    holds,
    asked,
    claim: async () => {
      if (options.down) throw new Error('connection refused');
      return 'claimed' as const;
    },
    commit: async () => {},
    release: async () => {},
    holdSending: async (reason: SendingHoldReason, durationMs: number) => {
      asked.holdSending++;
      if (options.down) throw new Error('connection refused');
      holds[reason] = Math.max(holds[reason], now() + durationMs);
    },
    sendingHeld: async () => {
      asked.sendingHeld++;
      if (options.down) throw new Error('connection refused');
      const left = (until: number) => Math.max(0, until - now());
      return { rateLimitMs: left(holds['rate-limit']), authMs: left(holds.auth) };
    },
  } satisfies SyncStore & Record<string, unknown>;
  return store;
}

const user = (id: string) => ({ ...ada, id, email: `${id}@example.com` });

describe('a 429 or a refused key seen by one instance holds every instance sharing the store', () => {
  it('sends nothing from another instance until the Retry-After has passed, then sends it all', async () => {
    const clock = manualClock();
    const store = sharedStore(clock.now);
    const clientA = new FakeClient();
    const clientB = new FakeClient();
    const a = engine({ client: clientA, store, now: clock.now });
    const b = engine({ client: clientB, store, now: clock.now });
    clientA.failNext(new SupportDeskRateLimitError('slow down', { retryAfterMs: 2_000 }));
    void a.identify(user('a1'));
    await vi.waitFor(() => expect(store.holds['rate-limit']).toBe(clock.now() + 2_000));

    const held = ['b1', 'b2', 'b3'].map((id) => b.identify(user(id)));
    await settle();
    expect(clientB.calls).toHaveLength(0);
    expect(b.stats().queued).toBe(3);

    clock.advance(2_000);
    void b.identify(user('b4'));
    expect((await Promise.all(held)).map((outcome) => outcome.status)).toEqual([
      'synced',
      'synced',
      'synced',
    ]);
    await b.flush();
    expect(clientB.calls.map((call) => call.externalId).sort()).toEqual(['b1', 'b2', 'b3', 'b4']);
  });

  it('asks the store nothing more while it knows of a hold', async () => {
    const clock = manualClock();
    const store = sharedStore(clock.now);
    store.holds['rate-limit'] = clock.now() + 5_000;
    const b = engine({ client: new FakeClient(), store, now: clock.now });
    void b.identify(user('b1'));
    await vi.waitFor(() => expect(store.asked.sendingHeld).toBe(1));
    for (let i = 0; i < 50; i++) void b.identify(user(`b${i % 3}`));
    await settle();
    expect(store.asked.sendingHeld).toBe(1);
  });

  it('stops another instance for the auth cool-down after a 401, and tells it once', async () => {
    const clock = manualClock();
    const store = sharedStore(clock.now);
    const clientA = new FakeClient();
    const clientB = new FakeClient();
    const onErrorB = vi.fn();
    const a = engine({ client: clientA, store, now: clock.now, authCooldownMs: 60_000 });
    const b = engine({ client: clientB, store, now: clock.now, onError: onErrorB });
    clientA.failNext(new SupportDeskAuthError('bad key', { status: 401 }));
    await a.identify(user('a1'));
    await vi.waitFor(() => expect(store.asked.holdSending).toBe(1));

    const outcomes = await Promise.all([b.identify(user('b1')), b.identify(user('b2'))]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['failed', 'failed']);
    expect(outcomes[0]?.error).toBeInstanceOf(SupportDeskAuthError);
    expect(clientB.calls).toHaveLength(0);
    expect(onErrorB).toHaveBeenCalledTimes(1);

    clock.advance(60_000);
    expect(await b.identify(user('b3'))).toMatchObject({ status: 'synced' });
  });

  it('keeps its own pause when the store is down, and logs the outage once', async () => {
    const clock = manualClock();
    const store = sharedStore(clock.now, { down: true });
    const client = new FakeClient();
    const { lines, logger } = recordingLogger();
    const sync = engine({ client, store, now: clock.now, logger });
    client.failNext(new SupportDeskRateLimitError('slow down', { retryAfterMs: 3_000 }));
    const first = sync.identify(user('u1'));
    await vi.waitFor(() => expect(client.calls).toHaveLength(1));
    void sync.identify(user('u2'));
    await settle();
    expect(client.calls).toHaveLength(1);
    clock.advance(3_000);
    void sync.identify(user('u3'));
    expect(await first).toMatchObject({ status: 'synced' });
    await sync.flush();
    expect(client.calls.map((call) => call.externalId)).toEqual(['u1', 'u1', 'u2', 'u3']);
    expect(lines.filter((line) => line.fields.code === 'STORE_UNAVAILABLE')).toHaveLength(1);
  });
});
