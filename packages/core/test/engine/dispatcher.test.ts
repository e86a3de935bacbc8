import { describe, expect, it, vi } from 'vitest';
import { SupportDeskErrorCode } from '../../src/errors.js';
import {
  ada,
  FakeClient,
  manualClock,
  recordingLogger,
  scriptedStore,
  settle,
  useEngines,
} from '../support/engines.js';

const { engine } = useEngines();

const user = (id: number) => ({ ...ada, id: `u${id}` });

describe('concurrency and the queue', () => {
  it('keeps at most concurrency upserts in flight', async () => {
    const client = new FakeClient({ auto: false });
    const sync = engine({ client, concurrency: 2 });
    for (let i = 0; i < 10; i++) void sync.identify(user(i));
    expect(client.calls).toHaveLength(2);
    expect(sync.stats()).toMatchObject({ inFlight: 2, queued: 8 });
    client.calls[0]?.resolve();
    await settle();
    expect(client.calls).toHaveLength(3);
    expect(sync.stats()).toMatchObject({ inFlight: 2, queued: 7 });
  });

  it('drops and counts what arrives beyond maxQueueSize', async () => {
    const client = new FakeClient({ auto: false });
    const sync = engine({ client, concurrency: 1, maxQueueSize: 3 });
    const outcomes = Array.from({ length: 10 }, (_, i) => sync.identify(user(i)));
    const dropped = (await Promise.all(outcomes.slice(4))).map((outcome) => outcome.status);
    expect(dropped).toEqual(['dropped', 'dropped', 'dropped', 'dropped', 'dropped', 'dropped']);
    expect(sync.stats()).toMatchObject({ dropped: 6, queued: 3, inFlight: 1 });
    expect((await outcomes[9])?.error?.code).toBe(SupportDeskErrorCode.QUEUE_FULL);
  });

  it('reports drops in batches, not once per drop', async () => {
    const client = new FakeClient({ auto: false });
    const clock = manualClock();
    const onError = vi.fn();
    const { lines, logger } = recordingLogger();
    const sync = engine({ client, concurrency: 1, maxQueueSize: 1, onError, logger, now: clock.now });
    for (let i = 0; i < 50; i++) void sync.identify(user(i));
    clock.advance(60_000);
    void sync.identify(user(99));
    await settle();
    expect(onError).toHaveBeenCalledTimes(2);
    expect(onError.mock.calls[1]?.[0].message).toContain('48 sync(s) dropped');
    expect(lines.filter((line) => line.level === 'warn')).toHaveLength(2);
  });

  it('drops identifies beyond maxQueueSize while an async mapUser hangs', async () => {
    const sync = engine({ client: new FakeClient(), maxQueueSize: 2, mapUser: () => new Promise(() => {}) });
    void sync.identify(ada);
    void sync.identify(ada);
    expect(await sync.identify(ada)).toMatchObject({ status: 'dropped', error: { code: 'QUEUE_FULL' } });
  });

  it('reports on close the drops it had not reported yet', async () => {
    const client = new FakeClient({ auto: false });
    const onError = vi.fn();
    const sync = engine({ client, concurrency: 1, maxQueueSize: 1, onError });
    for (let i = 0; i < 5; i++) void sync.identify(user(i));
    client.calls[0]?.resolve();
    await settle();
    client.calls[1]?.resolve();
    await sync.close();
    expect(onError.mock.calls.map((call) => call[0].message)).toEqual([
      expect.stringContaining(': 1 sync(s) dropped'),
      expect.stringContaining(': 2 sync(s) dropped'),
    ]);
  });

  it('counts a waiting change of an in-flight user against maxQueueSize', async () => {
    const client = new FakeClient({ auto: false });
    const sync = engine({ client, concurrency: 1, maxQueueSize: 1 });
    void sync.identify(ada);
    void sync.identify({ ...ada, name: 'Changed' });
    expect(await sync.identify(user(2))).toMatchObject({ status: 'dropped' });
  });
});

describe('a shared store', () => {
  it('is told the client namespace once', () => {
    const store = scriptedStore();
    engine({ client: new FakeClient(), store });
    expect(store.init).toHaveBeenCalledTimes(1);
    expect(store.init).toHaveBeenCalledWith({ namespace: 'fake-namespace' });
  });

  it('claims before sending and commits after a success', async () => {
    const store = scriptedStore();
    const client = new FakeClient();
    const sync = engine({ client, store, storeLeaseMs: 1_234 });
    expect((await sync.identify(ada)).status).toBe('synced');
    await sync.flush();
    expect(store.calls).toEqual(['claim u1 1234', 'commit u1']);
  });

  it('is not asked again while the in-memory cache is fresh', async () => {
    const store = scriptedStore();
    const sync = engine({ client: new FakeClient(), store });
    await sync.identify(ada);
    await sync.identify(ada);
    expect(store.claim).toHaveBeenCalledTimes(1);
  });

  it('releases its claim after a failed send', async () => {
    const store = scriptedStore();
    const client = new FakeClient();
    client.failNext(new Error('upstream down'));
    const sync = engine({ client, store });
    await sync.identify(ada);
    await sync.flush();
    expect(store.calls).toEqual(['claim u1 60000', 'release u1']);
  });

  it('skips a user the store reports fresh, and remembers it in memory', async () => {
    const store = scriptedStore(() => 'fresh');
    const client = new FakeClient();
    const sync = engine({ client, store });
    expect(await sync.identify(ada)).toEqual({ status: 'skipped', externalId: 'u1' });
    expect((await sync.identify(ada)).status).toBe('skipped');
    expect(store.claim).toHaveBeenCalledTimes(1);
    expect(client.calls).toHaveLength(0);
  });

  it('skips a user another instance is sending, and asks again next time', async () => {
    const store = scriptedStore(() => 'busy');
    const client = new FakeClient();
    const sync = engine({ client, store });
    expect((await sync.identify(ada)).status).toBe('skipped');
    expect((await sync.identify(ada)).status).toBe('skipped');
    expect(store.claim).toHaveBeenCalledTimes(2);
    expect(client.calls).toHaveLength(0);
  });

  it('is closed by close()', async () => {
    const store = scriptedStore();
    const sync = engine({ client: new FakeClient(), store });
    await sync.close();
    expect(store.close).toHaveBeenCalledTimes(1);
  });
});
