import { describe, expect, it, vi } from 'vitest';
import { startEmulator } from '../src/index.js';
import { RateLimiter, resolveRateLimit } from '../src/rate-limit.js';
import { john, KEY, OTHER_KEY, send, sendTo, useEmulator } from './support.js';

describe('RateLimiter', () => {
  it('grants a burst at once, then refuses with the whole seconds until the next token', () => {
    const limiter = new RateLimiter({ perSecond: 2, burst: 3 });
    const grants = [0, 0, 0, 0].map(() => limiter.take(KEY, 0));
    expect(grants).toEqual([{ ok: true }, { ok: true }, { ok: true }, { ok: false, retryAfterSeconds: 1 }]);
  });

  it('refills at perSecond, never above burst', () => {
    const limiter = new RateLimiter({ perSecond: 2, burst: 2 });
    limiter.take(KEY, 0);
    limiter.take(KEY, 0);
    expect(limiter.take(KEY, 499)).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(limiter.take(KEY, 500)).toEqual({ ok: true });
    // A long quiet spell fills the bucket to burst, not beyond.
    const after = [0, 0, 0].map(() => limiter.take(KEY, 60_000).ok);
    expect(after).toEqual([true, true, false]);
  });

  it('says how long to wait at a slow rate', () => {
    const limiter = new RateLimiter({ perSecond: 0.25, burst: 1 });
    limiter.take(KEY, 0);
    expect(limiter.take(KEY, 0)).toEqual({ ok: false, retryAfterSeconds: 4 });
  });

  it('keeps one bucket per key', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 });
    expect([limiter.take(KEY, 0).ok, limiter.take(OTHER_KEY, 0).ok, limiter.take(KEY, 0).ok]).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('forgets refilled buckets, so many keys seen once do not pile up', () => {
    const limiter = new RateLimiter({ perSecond: 10, burst: 10 });
    for (let i = 0; i < 5_000; i++) limiter.take(`key_${i}`, i);
    expect(limiter.trackedKeys).toBeLessThan(1_100);
  });

  it.each([
    [{ perSecond: 10 }, { perSecond: 10, burst: 10 }],
    [{ perSecond: 2.5 }, { perSecond: 2.5, burst: 2 }],
    [{ perSecond: 0.5 }, { perSecond: 0.5, burst: 1 }],
    [
      { perSecond: 5, burst: 20 },
      { perSecond: 5, burst: 20 },
    ],
  ])('defaults burst to perSecond, at least 1: %j', (limit, resolved) => {
    expect(resolveRateLimit(limit)).toEqual(resolved);
  });
});

describe('rateLimit option', () => {
  // Slow enough that no token comes back during a test, however loaded the machine.
  const emulator = useEmulator({ rateLimit: { perSecond: 0.1, burst: 2 } });

  it('answers 429 RATE_LIMITED with Retry-After once a key has used its burst', async () => {
    const statuses = [];
    for (let i = 0; i < 2; i++) statuses.push((await send(emulator(), 'user_42', { body: john })).status);
    const limited = await send(emulator(), 'user_42', { body: john });
    expect(statuses).toEqual([200, 200]);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(9);
    expect(limited.body).toEqual({
      success: false,
      error: { code: 'RATE_LIMITED', message: expect.stringContaining('0.1 requests per second') },
      timestamp: expect.any(String),
    });
  });

  it('limits each key on its own', async () => {
    for (let i = 0; i < 3; i++) await send(emulator(), 'user_42', { body: john });
    const other = await send(emulator(), 'user_42', { apiKey: OTHER_KEY, body: john });
    expect(other.status).toBe(200);
  });

  it('takes no token for a request without a key', async () => {
    for (let i = 0; i < 3; i++) {
      const answer = await send(emulator(), 'user_42', { apiKey: null, body: john });
      expect(answer.status).toBe(401);
    }
    expect((await send(emulator(), 'user_42', { body: john })).status).toBe(200);
  });

  it('is checked before an injected fault, which stays for the next request let through', async () => {
    for (let i = 0; i < 2; i++) await send(emulator(), 'user_42', { body: john });
    emulator().inject({ status: 503, times: 1 });
    const limited = await send(emulator(), 'user_42', { body: john });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    emulator().setRateLimit(undefined);
    expect((await send(emulator(), 'user_42', { body: john })).status).toBe(503);
  });

  it('counts every request with a key, also one to an unknown path', async () => {
    await sendTo(emulator(), '/elsewhere', { body: john });
    await sendTo(emulator(), '/elsewhere', { body: john });
    expect((await send(emulator(), 'user_42', { body: john })).status).toBe(429);
  });

  it('changes with setRateLimit, starting with full buckets, and stops with undefined', async () => {
    for (let i = 0; i < 3; i++) await send(emulator(), 'user_42', { body: john });
    emulator().setRateLimit({ perSecond: 0.1, burst: 3 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await send(emulator(), 'user_42', { body: john })).status);
    emulator().setRateLimit(undefined);
    statuses.push((await send(emulator(), 'user_42', { body: john })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 200]);
  });

  it('marks a rate-limited request in the log', async () => {
    for (let i = 0; i < 3; i++) await send(emulator(), 'user_42', { body: john });
    // The log learns the status when the server has finished the answer, just after the client has it.
    await vi.waitFor(async () => {
      const response = await fetch(`${emulator().url}/__emulator/requests`);
      const { requests } = (await response.json()) as {
        requests: Array<{ status: number; rateLimited?: true }>;
      };
      expect(requests.map((r) => [r.status, r.rateLimited])).toEqual([
        [200, undefined],
        [200, undefined],
        [429, true],
      ]);
    });
  });

  it.each([
    [{ perSecond: 0 }, /rateLimit\.perSecond/],
    [{ perSecond: Number.NaN }, /rateLimit\.perSecond/],
    [{ perSecond: 1, burst: 0.5 }, /rateLimit\.burst/],
    [{ perSecond: 1, every: 2 }, /rateLimit\.every/],
  ])('throws a TypeError naming the field for setRateLimit(%j)', (limit, message) => {
    expect(() => emulator().setRateLimit(limit as never)).toThrow(message);
  });
});

it('refuses a bad rateLimit option at start with a message naming the field', async () => {
  await expect(startEmulator({ rateLimit: { perSecond: -1 } })).rejects.toThrow(/rateLimit\.perSecond/);
});
