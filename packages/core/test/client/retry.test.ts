import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  abortableSleep,
  backoffDelayMs,
  isRetryableStatus,
  parseRetryAfterMs,
} from '../../src/client/retry.js';

const activeTimeouts = () => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;

describe('isRetryableStatus', () => {
  it.each([408, 429, 500, 502, 503, 504, 599])('retries %i', (status) => {
    expect(isRetryableStatus(status)).toBe(true);
  });

  it.each([200, 301, 400, 401, 403, 404, 409, 422, 600])('does not retry %i', (status) => {
    expect(isRetryableStatus(status)).toBe(false);
  });
});

describe('backoffDelayMs', () => {
  it('waits nothing when the random draw is 0', () => {
    expect(backoffDelayMs(3, 250, 5_000, () => 0)).toBe(0);
  });

  it.each([
    [0, 250],
    [1, 500],
    [2, 1_000],
    [3, 2_000],
  ])('keeps retry %i just under base * 2^retry (%i ms) on the highest draw', (retry, ceiling) => {
    expect(backoffDelayMs(retry, 250, 5_000, () => 0.9999)).toBe(ceiling - 1);
  });

  it('never goes over the maximum delay however many retries came before', () => {
    expect(backoffDelayMs(40, 250, 5_000, () => 0.9999)).toBe(4_999);
  });

  it('draws a different delay for each random value (full jitter)', () => {
    expect(backoffDelayMs(2, 250, 5_000, () => 0.25)).toBe(250);
    expect(backoffDelayMs(2, 250, 5_000, () => 0.5)).toBe(500);
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-04-18T10:00:00Z');

  it.each([
    ['0', 0],
    ['1', 1_000],
    ['120', 120_000],
    [' 7 ', 7_000],
    ['Sat, 18 Apr 2026 10:00:30 GMT', 30_000],
    ['Sat, 18 Apr 2026 09:00:00 GMT', 0],
    ['Saturday, 18-Apr-26 10:01:00 GMT', 60_000],
    ['Sat Apr 18 10:00:05 2026', 5_000],
  ])('reads %j as %i ms', (header, expected) => {
    expect(parseRetryAfterMs(header, now)).toBe(expected);
  });

  it.each([[null], [undefined], [''], ['   '], ['-5'], ['1.5'], ['soon'], ['5 seconds'], ['0x10']])(
    'gives undefined for %j so the caller uses its own backoff',
    (header) => {
      expect(parseRetryAfterMs(header, now)).toBeUndefined();
    },
  );

  it('caps an absurd number of seconds at a safe integer', () => {
    expect(parseRetryAfterMs('9'.repeat(30), now)).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('abortableSleep', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves once the delay has passed, not before', async () => {
    vi.useFakeTimers();
    let done = false;
    const sleeping = abortableSleep(1_000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await sleeping;
    expect(done).toBe(true);
  });

  it('rejects with the abort reason as soon as the signal aborts, and clears its timer', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const sleeping = abortableSleep(60_000, controller.signal);
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects at once when the signal was already aborted', async () => {
    vi.useFakeTimers();
    const reason = new Error('already');
    await expect(abortableSleep(60_000, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('removes its abort listener once the delay has passed', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const sleeping = abortableSleep(10, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10);
    await sleeping;
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('does not keep the process alive while it waits', async () => {
    const before = activeTimeouts();
    const controller = new AbortController();
    const sleeping = abortableSleep(60_000, controller.signal);
    expect(activeTimeouts()).toBe(before);
    controller.abort();
    await expect(sleeping).rejects.toThrow();
  });
});
