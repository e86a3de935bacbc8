import type { Reporter } from './reporter.js';

/** How long `beforeExit` keeps the process alive to send what is pending. */
const EXIT_FLUSH_MS = 10_000;

/**
 * Counts what the engine still owes: identifies not resolved yet (queued, in flight, or
 * waiting on an async `mapUser`/`getUser`) and store writes. `flush()` waits for both to be 0.
 */
export class IdleTracker {
  #unsettled = 0;
  #storeOps = 0;
  #waiting: (() => void)[] = [];

  /** Identifies not resolved yet. */
  get unsettled(): number {
    return this.#unsettled;
  }

  /** Nothing pending and no store write in progress. */
  get idle(): boolean {
    return this.#unsettled === 0 && this.#storeOps === 0;
  }

  /** An identify went async. */
  opened(): void {
    this.#unsettled++;
  }

  /** An identify resolved. */
  settled(): void {
    this.#unsettled--;
    this.#wake();
  }

  /** A store write (commit, release) started. */
  storeOpStarted(): void {
    this.#storeOps++;
  }

  /** A store write ended, however it went. */
  storeOpEnded(): void {
    this.#storeOps--;
    this.#wake();
  }

  /** Resolves once idle. */
  flush(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** `true` once idle, or `false` when `timeoutMs` passes first (the timer is unref'd). */
  within(timeoutMs: number): Promise<boolean> {
    if (this.idle) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref?.();
      this.#waiting.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  #wake(): void {
    if (!this.idle || this.#waiting.length === 0) return;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const wake of waiting) wake();
  }
}

/**
 * A `beforeExit` listener. The event loop is empty but syncs wait (on an unref'd pause or
 * backoff timer): keep the process alive, for a bounded time and once at a time, so they can
 * go out. Fired again while it waits, it does nothing; once it has given up, it stays quiet,
 * so an exit it cannot help is never held up again.
 */
export function exitFlusher(tracker: IdleTracker, reporter: Reporter): () => void {
  let flushing = false;
  return () => {
    if (flushing || tracker.idle) return;
    flushing = true;
    // Ref'd on purpose: nothing else keeps the process alive now, and this wait is bounded.
    const keepAlive = setTimeout(() => {
      const pending = tracker.unsettled;
      reporter.log(
        'warn',
        { status: 'dropped', pending },
        `SupportDesk: the process exits with ${pending} sync(s) not sent`,
      );
    }, EXIT_FLUSH_MS);
    void tracker.flush().then(() => {
      clearTimeout(keepAlive);
      flushing = false;
    });
  };
}
