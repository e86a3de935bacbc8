import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { CustomerSync } from '../../src/engine/customer-sync.js';
import { SupportDeskErrorCode, SupportDeskRateLimitError } from '../../src/errors.js';
import { ada, FakeClient, recordTimers, settle, useEngines } from '../support/engines.js';

const { engine, closeAfterTest } = useEngines();

const user = (id: number) => ({ ...ada, id: `u${id}` });

/** Runs a script under plain Node (the built packages), answering its output and exit code. */
function runNode(script: string, args: string[]): Promise<{ stdout: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ stdout, code }));
  });
}

describe('close', () => {
  it('keeps the process alive until it resolves, and reports what it could not send', async () => {
    const fixture = fileURLToPath(new URL('../fixtures/close-while-paused.mjs', import.meta.url));
    const { stdout, code } = await runNode(fixture, ['300']);
    expect(code).toBe(0);
    expect(stdout).toContain('warn: CustomerSync.close() gave up after 300 ms: 5 sync(s) not sent');
    expect(stdout.trim().split('\n').at(-1)).toBe('resolved');
  });

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
