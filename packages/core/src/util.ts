/** Small helpers every part of the SDK shares. */

/** Whether a value answered by user code (a store, mapUser, getUser) is a promise to wait for. */
export const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  (typeof value === 'object' || typeof value === 'function') &&
  value !== null &&
  typeof (value as { then?: unknown }).then === 'function';

/** The message of anything thrown, for a log line or an error message; never throws itself. */
export function messageOf(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return 'an unprintable value was thrown';
  }
}

/**
 * Settles like `work`, or rejects with `onTimeout()` after `timeoutMs`, whichever comes first.
 * The timer is unref'd and cleared on settle, so a slow call neither keeps the process alive nor
 * leaves a timer behind. A late rejection is observed here, never unhandled; a late value goes
 * to `onLate` (a claim granted too late must be given back, say).
 *
 * When the timer fires, the verdict waits for the end of that event-loop turn: after a busy
 * stretch the loop runs due timers before it reads sockets, so an answer that arrived in time
 * would otherwise count as late because of the host's lag, not the callee's.
 */
export function withTimeout<T>(
  work: PromiseLike<T>,
  timeoutMs: number,
  onTimeout: () => Error,
  onLate?: (value: T) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let timedOut = false;
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (settled) return;
        timedOut = true;
        reject(onTimeout());
      }).unref();
    }, timeoutMs);
    timer.unref();
    Promise.resolve(work).then(
      (value) => {
        settled = true;
        clearTimeout(timer);
        if (!timedOut) resolve(value);
        else if (onLate !== undefined) {
          try {
            onLate(value);
          } catch {
            // Clean-up of a late answer is best effort; it must not become an unhandled rejection.
          }
        }
      },
      (error: unknown) => {
        settled = true;
        clearTimeout(timer);
        if (!timedOut) reject(error);
      },
    );
  });
}
