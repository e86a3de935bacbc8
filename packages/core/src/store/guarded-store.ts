import { isThenable, messageOf, withTimeout } from '../util.js';
import type { ClaimResult, SendingHoldReason, SendingHolds, SyncStore } from './store.js';

/** What a guarded claim answers: the store's answer, or `unavailable` when it threw, rejected or was too slow. */
export type GuardedClaim = ClaimResult | 'unavailable';

/** Where the guard says that the store went down or came back: the engine's reporter. */
export interface StoreLog {
  log(level: 'info' | 'warn', fields: Record<string, unknown>, message: string): void;
}

type Answer<T> = { ok: true; value: T } | { ok: false };

const FAILED: Answer<never> = { ok: false };

const CLAIM_RESULTS: ReadonlySet<unknown> = new Set(['claimed', 'fresh', 'busy']);

const isDuration = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0;

/**
 * A shared {@link SyncStore} seen through a time limit: every call resolves within
 * `timeoutMs`, never rejects, and a failing store is reported once until it answers again.
 */
export class GuardedStore {
  readonly #store: SyncStore;
  readonly #timeoutMs: number;
  readonly #log: StoreLog;
  #available = true;

  constructor(store: SyncStore, timeoutMs: number, log: StoreLog) {
    this.#store = store;
    this.#timeoutMs = timeoutMs;
    this.#log = log;
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

  /** Whether the store shares holds (429 pause, 401/403 cool-down) between its instances. */
  get sharesHolds(): boolean {
    return typeof this.#store.holdSending === 'function' && typeof this.#store.sendingHeld === 'function';
  }

  /** Tells every instance sharing the store to stop sending, within the time limit. */
  async holdSending(reason: SendingHoldReason, durationMs: number): Promise<void> {
    await this.#call(() => this.#store.holdSending?.(reason, durationMs));
  }

  /** The holds in force, or `undefined` when the store cannot say (then only local holds apply). */
  async sendingHeld(): Promise<SendingHolds | undefined> {
    const answer = await this.#call(() => this.#store.sendingHeld?.());
    if (!answer.ok || answer.value === undefined) return undefined;
    const { rateLimitMs, authMs } = answer.value;
    if (isDuration(rateLimitMs) && isDuration(authMs)) return { rateLimitMs, authMs };
    this.#down(new TypeError('sendingHeld answered something other than { rateLimitMs, authMs }'));
    return undefined;
  }

  /** Closes the store, within the time limit. */
  async close(): Promise<void> {
    await this.#call(() => this.#store.close?.());
  }

  async #call<T>(run: () => T | PromiseLike<T>, onLate?: (value: T) => void): Promise<Answer<T>> {
    try {
      const result = run();
      const value = isThenable(result)
        ? await withTimeout(
            result as PromiseLike<T>,
            this.#timeoutMs,
            () => new Error(`no answer within storeTimeoutMs (${this.#timeoutMs} ms)`),
            onLate,
          )
        : result;
      this.#up();
      return { ok: true, value };
    } catch (error) {
      this.#down(error);
      return FAILED;
    }
  }

  #down(error: unknown): void {
    if (!this.#available) return;
    this.#available = false;
    const reason = messageOf(error);
    this.#log.log(
      'warn',
      { code: 'STORE_UNAVAILABLE' },
      `SupportDesk sync store unavailable, using the in-memory cache until it answers again: ${reason}`,
    );
  }

  #up(): void {
    if (this.#available) return;
    this.#available = true;
    this.#log.log('info', { code: 'STORE_RECOVERED' }, 'SupportDesk sync store answers again');
  }
}
