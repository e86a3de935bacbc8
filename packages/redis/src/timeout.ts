/**
 * Settles like `work`, or rejects with `onTimeout()` after `timeoutMs`, whichever comes first.
 * The timer is unref'd and cleared on settle, so a pending Redis call neither keeps the process
 * alive nor leaves a timer behind. A late rejection of `work` is observed here, never unhandled.
 *
 * When the timer fires, the rejection waits for the end of that event-loop turn: after a busy
 * stretch the loop runs due timers before it reads sockets, so a reply that arrived in time
 * would otherwise be discarded for the host's lag rather than for Redis being slow.
 */
export function withTimeout<T>(work: Promise<T>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (!settled) reject(onTimeout());
      }).unref();
    }, timeoutMs);
    timer.unref();
    work.then(
      (value) => {
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        settled = true;
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
