/**
 * When to retry an upsert and how long to wait first. Pure functions plus one abortable sleep, so
 * the client's loop reads as policy and tests can check each rule alone.
 */

/** Statuses worth sending again: the request timed out, was rate limited, or the server failed. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * Backoff before retry number `retry` (0 for the first retry): "full jitter", a random delay in
 * [0, min(maxDelayMs, baseDelayMs * 2^retry)], so many clients failing together do not retry in step.
 */
export function backoffDelayMs(
  retry: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

const DELTA_SECONDS = /^\d+$/;

/**
 * Reads a `Retry-After` header (RFC 9110: delta seconds or an HTTP date) as milliseconds from
 * `nowMs`. A date in the past means "now" (0). An absent or unreadable header gives `undefined`,
 * so the caller falls back to its own backoff instead of trusting garbage.
 */
export function parseRetryAfterMs(header: string | null | undefined, nowMs: number): number | undefined {
  if (header == null) return undefined;
  const value = header.trim();
  if (value === '') return undefined;
  if (DELTA_SECONDS.test(value)) {
    const ms = Number(value) * 1000;
    return Number.isSafeInteger(ms) ? ms : Number.MAX_SAFE_INTEGER;
  }
  // Date.parse also accepts odd shapes such as "5"; only a value that names a weekday or month
  // (every HTTP-date form does) is taken as a date.
  if (!/[a-z]{3}/i.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * Waits `ms`, or rejects with `signal.reason` as soon as `signal` aborts. The timer is unref'd:
 * a pending retry never keeps the host process alive.
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    timer.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
