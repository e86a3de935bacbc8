/**
 * Settles like `work`, or rejects with `onTimeout()` after `timeoutMs`, whichever comes first.
 * The timer is unref'd and cleared on settle, so a pending Redis call neither keeps the process
 * alive nor leaves a timer behind. A late rejection of `work` is observed here, never unhandled.
 */
export function withTimeout<T>(work: Promise<T>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), timeoutMs);
    timer.unref();
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
