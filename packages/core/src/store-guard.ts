import type { Reporter } from './reporter.js';
import type { ClaimResult, SyncStore } from './store.js';

/** What a guarded claim answers: the store's answer, or `unavailable` when it threw, rejected or was too slow. */
export type GuardedClaim = ClaimResult | 'unavailable';

type Answer<T> = { ok: true; value: T } | { ok: false };

const FAILED: Answer<never> = { ok: false };

/** Whether a value answered by user code (a store, mapUser, getUser) is a promise to wait for. */
export const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  (typeof value === 'object' || typeof value === 'function') &&
  value !== null &&
  typeof (value as { then?: unknown }).then === 'function';

const CLAIM_RESULTS: ReadonlySet<unknown> = new Set(['claimed', 'fresh', 'busy']);

/**
 * A shared {@link SyncStore} seen through a time limit: every call resolves within
 * `timeoutMs`, never rejects, and a failing store is reported once until it answers again.
 */
export class GuardedStore {
  readonly #store: SyncStore;
  readonly #timeoutMs: number;
  readonly #reporter: Reporter;
  #available = true;

  constructor(store: SyncStore, timeoutMs: number, reporter: Reporter) {
    this.#store = store;
    this.#timeoutMs = timeoutMs;
    this.#reporter = reporter;
  }

  /** Tells the store its namespace; a failure only marks the store unavailable. */
  init(namespace: string): void {
    void this.#call(() => this.#store.init?.({ namespace }));
  }

  /** The store's decision, or `unavailable`; a claim granted after the time limit is given back. */
  async claim(externalId: string, fingerprint: string, leaseMs: number): Promise<GuardedClaim> {
    const answer = await this.#call(
      () => this.#store.claim(externalId, fingerprint, leaseMs),
      (late) => {
        if (late === 'claimed') void this.release(externalId, fingerprint);
      },
    );
    if (!answer.ok) return 'unavailable';
    if (CLAIM_RESULTS.has(answer.value)) return answer.value;
    this.#down(new TypeError(`claim answered ${String(answer.value)}, not claimed, fresh or busy`));
    return 'unavailable';
  }

  /** Records a success in the store, within the time limit. */
  async commit(externalId: string, fingerprint: string, ttlMs: number): Promise<void> {
    await this.#call(() => this.#store.commit(externalId, fingerprint, ttlMs));
  }

  /** Gives a claim back, within the time limit. */
  async release(externalId: string, fingerprint: string): Promise<void> {
    await this.#call(() => this.#store.release(externalId, fingerprint));
  }

  /** Closes the store, within the time limit. */
  async close(): Promise<void> {
    await this.#call(() => this.#store.close?.());
  }

  #call<T>(run: () => T | PromiseLike<T>, onLate?: (value: T) => void): Promise<Answer<T>> {
    let result: T | PromiseLike<T>;
    try {
      result = run();
    } catch (error) {
      this.#down(error);
      return Promise.resolve(FAILED);
    }
    if (!isThenable(result)) {
      this.#up();
      return Promise.resolve({ ok: true, value: result });
    }
    return new Promise<Answer<T>>((resolve) => {
      let settled = false;
      let timedOut = false;
      // The verdict waits for the end of the turn in which the timer fires: after a busy stretch
      // the event loop runs due timers before it reads sockets, so an answer that arrived in
      // time would otherwise count as late because of the host's lag, not the store's.
      const timer = setTimeout(() => {
        setImmediate(() => {
          if (settled) return;
          timedOut = true;
          this.#down(new Error(`no answer within storeTimeoutMs (${this.#timeoutMs} ms)`));
          resolve(FAILED);
        }).unref();
      }, this.#timeoutMs);
      timer.unref?.();
      Promise.resolve(result).then(
        (value) => {
          settled = true;
          clearTimeout(timer);
          if (timedOut) return onLate?.(value);
          this.#up();
          resolve({ ok: true, value });
        },
        (error: unknown) => {
          settled = true;
          clearTimeout(timer);
          if (timedOut) return;
          this.#down(error);
          resolve(FAILED);
        },
      );
    });
  }

  #down(error: unknown): void {
    if (!this.#available) return;
    this.#available = false;
    const reason = error instanceof Error ? error.message : String(error);
    this.#reporter.log(
      'warn',
      { code: 'STORE_UNAVAILABLE' },
      `SupportDesk sync store unavailable, using the in-memory cache until it answers again: ${reason}`,
    );
  }

  #up(): void {
    if (this.#available) return;
    this.#available = true;
    this.#reporter.log('info', { code: 'STORE_RECOVERED' }, 'SupportDesk sync store answers again');
  }
}
