import type { RateLimit } from './types.js';

/** A rate limit with its default applied. */
export interface ResolvedRateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

/** The outcome of asking for a token: granted, or how many whole seconds to wait. */
export type TokenGrant = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date, in ms of the limiter's clock. */
  at: number;
}

/** Buckets kept before full ones are first swept out: a full bucket is the same as none. */
const FIRST_SWEEP_AT = 1_000;

function isPositiveFinite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

/**
 * Why `value` is not a rate limit, naming the field (after `prefix`, such as `rateLimit.`);
 * `undefined` when it is one.
 */
export function rateLimitProblem(value: unknown, prefix = ''): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return `${prefix || 'a rate limit '}must be an object: { perSecond, burst? }`;
  for (const field of Object.keys(value))
    if (field !== 'perSecond' && field !== 'burst')
      return `${prefix}${field} is not a rate limit field (use perSecond and burst)`;
  const { perSecond, burst } = value as Record<string, unknown>;
  if (!isPositiveFinite(perSecond))
    return `${prefix}perSecond must be a number > 0 (got ${JSON.stringify(perSecond)})`;
  if (burst !== undefined && !(Number.isInteger(burst) && (burst as number) >= 1))
    return `${prefix}burst must be an integer >= 1 (got ${JSON.stringify(burst)})`;
  return undefined;
}

/** Apply the default burst, which is `perSecond` (at least one request). */
export function resolveRateLimit(limit: RateLimit): ResolvedRateLimit {
  return { perSecond: limit.perSecond, burst: limit.burst ?? Math.max(1, Math.floor(limit.perSecond)) };
}

/**
 * A token bucket per API key, as a real API's limiter: each key holds up to `burst` tokens,
 * refilled at `perSecond`; a request takes one, and an empty bucket says when the next is due.
 * Time is passed in, so the arithmetic is testable without a clock.
 */
export class RateLimiter {
  readonly limit: ResolvedRateLimit;
  readonly #buckets = new Map<string, Bucket>();
  #sweepAt = FIRST_SWEEP_AT;

  constructor(limit: ResolvedRateLimit) {
    this.limit = limit;
  }

  /** Take one token of `key` at time `nowMs`. */
  take(key: string, nowMs: number): TokenGrant {
    const { perSecond, burst } = this.limit;
    const bucket = this.#buckets.get(key) ?? { tokens: burst, at: nowMs };
    bucket.tokens = Math.min(burst, bucket.tokens + ((nowMs - bucket.at) / 1_000) * perSecond);
    bucket.at = nowMs;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      if (this.#buckets.size >= this.#sweepAt) this.#sweep(nowMs);
      this.#buckets.set(key, bucket);
      return { ok: true };
    }
    this.#buckets.set(key, bucket);
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond)) };
  }

  /**
   * Forget buckets that have refilled, so keys seen once do not pile up. The next sweep waits for
   * the map to double, so many busy keys cost a sweep now and then, not one per request.
   */
  #sweep(nowMs: number): void {
    const { perSecond, burst } = this.limit;
    for (const [key, bucket] of this.#buckets)
      if (bucket.tokens + ((nowMs - bucket.at) / 1_000) * perSecond >= burst) this.#buckets.delete(key);
    this.#sweepAt = Math.max(FIRST_SWEEP_AT, this.#buckets.size * 2);
  }

  /** How many keys have a bucket that is not full (for tests of the sweep). */
  get trackedKeys(): number {
    return this.#buckets.size;
  }
}
