import type { SyncOutcome, SyncStats, SyncStatus } from './outcome.js';
import type { Reporter } from './reporter.js';

/** How long `beforeExit` keeps the process alive to send what is pending. */
const EXIT_FLUSH_MS = 10_000;

/** An identify that has not resolved yet. */
export interface Pending {
  resolve: (outcome: SyncOutcome) => void;
  done: boolean;
}

type Counts = Omit<SyncStats, 'queued' | 'inFlight'>;

/**
 * What the engine owes its callers: identifies not resolved yet (queued, in flight, or waiting on
 * an async `mapUser`/`getUser`) and store writes under way. Every part of the engine settles an
 * identify here, so the counters, `flush()` and `close()` see one truth.
 */
export class Ledger {
  /** Identifies resolved so far, by status (`created` counts the synced ones that created). */
  readonly counts: Counts = {
    synced: 0,
    created: 0,
    skipped: 0,
    coalesced: 0,
    failed: 0,
    dropped: 0,
    ignored: 0,
    invalid: 0,
  };
  /** Identifies waiting on an async mapUser or getUser: bounded, and given up by close() if need be. */
  readonly reading = new Set<Pending>();
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

  /** A new identify that resolves later, through {@link settle}. */
  open(resolve: (outcome: SyncOutcome) => void): Pending {
    this.#unsettled++;
    return { resolve, done: false };
  }

  /** Resolves `pending` with `outcome`, once; a second settle of the same identify is ignored. */
  settle(pending: Pending, outcome: SyncOutcome): void {
    if (pending.done) return;
    pending.done = true;
    this.count(outcome.status);
    if (outcome.status === 'synced' && outcome.wasCreated) this.counts.created++;
    pending.resolve(outcome);
    this.#unsettled--;
    this.#wake();
  }

  /** Counts an identify that resolved at once, without a pending entry. */
  count(status: SyncStatus): void {
    this.counts[status]++;
  }

  /** Counts `write` (a store commit or release) as pending until it ends, however it ends. */
  track(write: Promise<unknown>): void {
    this.#storeOps++;
    const ended = () => {
      this.#storeOps--;
      this.#wake();
    };
    write.then(ended, ended);
  }

  /** Resolves once idle. */
  flush(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /**
   * `true` once idle, or `false` when `timeoutMs` passes first. The deadline timer keeps the
   * process alive on purpose: `await sync.close()` in a shutdown path must return, even when
   * what it waits on (a 429 pause, a backoff) runs on unref'd timers alone.
   */
  within(timeoutMs: number): Promise<boolean> {
    if (this.idle) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
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
export function exitFlusher(ledger: Ledger, reporter: Reporter): () => void {
  let flushing = false;
  return () => {
    if (flushing || ledger.idle) return;
    flushing = true;
    // Ref'd on purpose: nothing else keeps the process alive now, and this wait is bounded.
    const keepAlive = setTimeout(() => {
      const pending = ledger.unsettled;
      reporter.log(
        'warn',
        { status: 'dropped', pending },
        `SupportDesk: the process exits with ${pending} sync(s) not sent`,
      );
    }, EXIT_FLUSH_MS);
    void ledger.flush().then(() => {
      clearTimeout(keepAlive);
      flushing = false;
    });
  };
}
