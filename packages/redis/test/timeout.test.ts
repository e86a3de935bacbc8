import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { withTimeout } from '../src/timeout.js';

const timedOut = () => new Error('timed out');

describe('withTimeout', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves with the value of work that settles in time', async () => {
    await expect(withTimeout(Promise.resolve('ok'), 100, timedOut)).resolves.toBe('ok');
  });

  it('clears its timer once the work settles', async () => {
    await withTimeout(Promise.resolve('ok'), 100, timedOut);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('clears its timer once the work fails', async () => {
    await withTimeout(Promise.reject(new Error('boom')), 100, timedOut).catch(() => {});
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects with the timeout error when the work is slower than timeoutMs', async () => {
    const result = withTimeout(new Promise(() => {}), 100, timedOut);
    vi.advanceTimersByTime(100);
    vi.runOnlyPendingTimers();
    await expect(result).rejects.toThrow('timed out');
  });

  it('keeps a reply that arrived in the turn its timer fell due', async () => {
    let finish: (value: string) => void = () => {};
    const work = new Promise<string>((resolve) => {
      finish = resolve;
    });
    const result = withTimeout(work, 100, timedOut);
    vi.advanceTimersByTime(100);
    finish('ok');
    await Promise.resolve();
    vi.runOnlyPendingTimers();
    await expect(result).resolves.toBe('ok');
  });

  it('observes a rejection that comes after the timeout', async () => {
    let fail: (error: Error) => void = () => {};
    const work = new Promise<never>((_resolve, reject) => {
      fail = reject;
    });
    const result = withTimeout(work, 100, timedOut);
    vi.advanceTimersByTime(100);
    vi.runOnlyPendingTimers();
    await expect(result).rejects.toThrow('timed out');
    fail(new Error('late'));
    // Vitest fails the run on an unhandled rejection; give it a turn to surface.
    await vi.advanceTimersByTimeAsync(0);
  });
});
