import { afterEach, describe, expect, it, vi } from 'vitest';
import { SupportDeskConfigError, SupportDeskErrorCode, SupportDeskRateLimitError } from '../src/errors.js';
import { CustomerSync } from '../src/sync.js';
import { ada, FakeClient, recordingLogger, settle, useEngines } from './sync-support.js';

const { engine, closeAfterTest } = useEngines();

afterEach(() => {
  vi.unstubAllEnvs();
});

/** Records every timer `setTimeout` makes until `stop()`. */
function recordTimers() {
  const timers: NodeJS.Timeout[] = [];
  const realSetTimeout = globalThis.setTimeout;
  const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((
    ...args: Parameters<typeof setTimeout>
  ) => {
    const timer = realSetTimeout(...args);
    timers.push(timer);
    return timer;
  }) as typeof setTimeout);
  return { timers, stop: () => spy.mockRestore() };
}

describe('close', () => {
  it('sends everything pending before it resolves', async () => {
    const client = new FakeClient({ auto: false });
    const sync = engine({ client, concurrency: 1 });
    const outcomes = [1, 2, 3].map((i) => sync.identify({ ...ada, id: `u${i}` }));
    const closed = sync.close();
    for (let i = 0; i < 3; i++) {
      await settle();
      client.calls[i]?.resolve();
    }
    await closed;
    expect((await Promise.all(outcomes)).map((outcome) => outcome.status)).toEqual([
      'synced',
      'synced',
      'synced',
    ]);
  });

  it('resolves by its deadline when the upstream hangs, aborting the request', async () => {
    vi.useFakeTimers();
    const client = new FakeClient({ auto: false });
    const onError = vi.fn();
    const sync = engine({ client, onError, concurrency: 1 });
    const inFlight = sync.identify(ada);
    const queued = sync.identify({ ...ada, id: 'u2' });
    const closed = sync.close(5_000);
    await vi.advanceTimersByTimeAsync(5_000);
    await expect(closed).resolves.toBeUndefined();
    expect(client.calls[0]?.signal?.aborted).toBe(true);
    expect(await inFlight).toMatchObject({ status: 'failed', error: { code: SupportDeskErrorCode.CLOSED } });
    expect((await queued).status).toBe('dropped');
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({ message: expect.stringContaining('2 sync(s) not sent') }),
      expect.objectContaining({ status: 'dropped' }),
    );
  });

  it('resolves later identifies as dropped with code CLOSED, without a request', async () => {
    const client = new FakeClient();
    const sync = engine({ client });
    await sync.close();
    expect(await sync.identify(ada)).toMatchObject({ status: 'dropped', error: { code: 'CLOSED' } });
    expect(client.calls).toHaveLength(0);
  });

  it('returns the same promise when called twice', () => {
    const sync = engine({ client: new FakeClient() });
    expect(sync.close()).toBe(sync.close());
  });

  it('gives up an identify whose async mapUser never answers', async () => {
    vi.useFakeTimers();
    const sync = engine({ client: new FakeClient(), mapUser: () => new Promise(() => {}) });
    const outcome = sync.identify(ada);
    const closed = sync.close(100);
    await vi.advanceTimersByTimeAsync(100);
    await closed;
    expect((await outcome).status).toBe('dropped');
  });
});

describe('beforeExit', () => {
  it('adds one listener per engine and removes it on close', async () => {
    const before = process.listenerCount('beforeExit');
    const sync = new CustomerSync({ client: new FakeClient() });
    expect(process.listenerCount('beforeExit')).toBe(before + 1);
    await sync.close();
    expect(process.listenerCount('beforeExit')).toBe(before);
  });

  it('keeps the process alive once, however often it fires, until the paused syncs are sent', async () => {
    vi.useFakeTimers();
    const client = new FakeClient();
    client.failNext(new SupportDeskRateLimitError('slow down', { retryAfterMs: 1_000 }));
    const sync = new CustomerSync({ client, onError: () => {}, now: () => Date.now() });
    closeAfterTest(sync);
    void sync.identify(ada);
    await vi.advanceTimersByTimeAsync(0);
    const timers = vi.getTimerCount();
    for (let i = 0; i < 5; i++) process.emit('beforeExit', 0);
    expect(vi.getTimerCount()).toBe(timers + 1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(client.calls).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does nothing when nothing is pending', () => {
    vi.useFakeTimers();
    const sync = new CustomerSync({ client: new FakeClient() });
    closeAfterTest(sync);
    process.emit('beforeExit', 0);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('timers', () => {
  it('never keeps the process alive while the queue is paused', async () => {
    const client = new FakeClient();
    client.failNext(new SupportDeskRateLimitError('slow down', { retryAfterMs: 60_000 }));
    const sync = engine({ client });
    // Every timer made while the engine pauses is kept, so each can be asked whether it holds
    // the process open: counting the process's timers instead also counts the test runner's.
    const made = recordTimers();
    void sync.identify(ada);
    await settle();
    made.stop();
    expect(sync.stats().queued).toBe(1);
    expect(made.timers.length).toBeGreaterThan(0);
    expect(made.timers.filter((timer) => timer.hasRef())).toEqual([]);
  });
});

describe('enabled: false', () => {
  it('needs no API key and resolves every identify as ignored', async () => {
    vi.stubEnv('SUPPORTDESK_API_KEY', undefined);
    const before = process.listenerCount('beforeExit');
    const sync = engine({ enabled: false });
    expect(await sync.identify(ada)).toEqual({ status: 'ignored' });
    expect(sync.client).toBeUndefined();
    expect(process.listenerCount('beforeExit')).toBe(before);
  });

  it('throws SupportDeskConfigError at construction when enabled without an API key', () => {
    vi.stubEnv('SUPPORTDESK_API_KEY', undefined);
    expect(() => engine({})).toThrow(SupportDeskConfigError);
  });
});

describe('hooks', () => {
  it('keeps syncing when onSync, onError and the logger throw', async () => {
    const client = new FakeClient();
    client.failNext(new Error('first fails'));
    const boom = () => {
      throw new Error('hook broke');
    };
    const sync = engine({
      client,
      onSync: boom,
      onError: boom,
      logger: { debug: boom, info: boom, warn: boom, error: boom },
    });
    expect((await sync.identify(ada)).status).toBe('failed');
    expect((await sync.identify(ada)).status).toBe('synced');
    expect((await sync.identify(ada)).status).toBe('skipped');
  });

  it('tells onSync about every upsert that reached SupportDesk', async () => {
    const onSync = vi.fn();
    const sync = engine({ client: new FakeClient(), onSync });
    await sync.identify(ada);
    expect(onSync).toHaveBeenCalledWith(
      expect.objectContaining({
        status: 'synced',
        externalId: 'u1',
        wasCreated: true,
        durationMs: expect.any(Number),
      }),
    );
  });

  it('logs the externalId and status, never the email or the phone', async () => {
    const { lines, logger } = recordingLogger();
    const client = new FakeClient();
    client.failNext(new Error('ada@example.com +1 555 0100 is broken'));
    const sync = engine({ client, logger });
    await sync.identify({ ...ada, phone: '+1 555 0100' } as typeof ada);
    await sync.identify({ ...ada, phone: '+1 555 0100' } as typeof ada);
    expect(lines.map((line) => line.fields)).toContainEqual(
      expect.objectContaining({ externalId: 'u1', status: 'synced' }),
    );
    const text = JSON.stringify(lines);
    expect(text).not.toContain('ada@example.com');
    expect(text).not.toContain('555 0100');
  });
});
