import { describe, expect, it, vi } from 'vitest';
import { SupportDeskErrorCode } from '../src/errors.js';
import { ada, FakeClient, manualClock, recordingLogger, settle, useEngines } from './sync-support.js';

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

describe('flush', () => {
  it('resolves at once when nothing is pending', async () => {
    await expect(engine({ client: new FakeClient() }).flush()).resolves.toBeUndefined();
  });

  it('resolves once everything queued and in flight is done', async () => {
    const client = new FakeClient({ auto: false });
    const sync = engine({ client, concurrency: 1 });
    const outcomes = [sync.identify(user(1)), sync.identify(user(2))];
    let flushed = false;
    void sync.flush().then(() => {
      flushed = true;
    });
    client.calls[0]?.resolve();
    await settle();
    expect(flushed).toBe(false);
    client.calls[1]?.resolve();
    await settle();
    expect(flushed).toBe(true);
    expect((await Promise.all(outcomes)).map((outcome) => outcome.status)).toEqual(['synced', 'synced']);
  });

  it('covers an identify whose async mapUser has not answered yet', async () => {
    const client = new FakeClient();
    let answer: (value: { externalId: string; name: string }) => void = () => {};
    const sync = engine<typeof ada>({ client, mapUser: () => new Promise((resolve) => (answer = resolve)) });
    void sync.identify(ada);
    let flushed = false;
    void sync.flush().then(() => {
      flushed = true;
    });
    await settle();
    expect(flushed).toBe(false);
    answer({ externalId: 'u1', name: 'Ada' });
    await settle();
    expect(flushed).toBe(true);
    expect(client.calls).toHaveLength(1);
  });
});

describe('stats', () => {
  it('counts every outcome by status', async () => {
    const client = new FakeClient();
    const sync = engine<unknown>({ client });
    await sync.identify(ada);
    await sync.identify(ada);
    await sync.identify(null);
    await sync.identify({ ...ada, email: 'nope' });
    expect(sync.stats()).toEqual({
      synced: 1,
      created: 1,
      skipped: 1,
      coalesced: 0,
      failed: 0,
      dropped: 0,
      ignored: 1,
      invalid: 1,
      queued: 0,
      inFlight: 0,
    });
  });
});
