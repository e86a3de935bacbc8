import { isThenable, messageOf, withTimeout } from '../util.js';
import type { ClaimResult, SendingHoldReason, SendingHolds, SyncStore } from './store.js';

/** What a guarded claim answers: the store's answer, or `unavailable` when it threw, rejected or was too slow. */
export type GuardedClaim = ClaimResult | 'unavailable';

/** Where the guard says that the store went down or came back: the engine's reporter. */
export interface StoreLog {
  log(level: 'info' | 'warn', fields: Record<string, unknown>, message: string): void;
}

/** How the guard reports: at most one outage (and its recovery) per `intervalMs` of `now`. */
export interface StoreReporting {
  log: StoreLog;
  intervalMs: number;
  now: () => number;
}

/** The longest the engine waits for a store to get ready at boot (its `init` promise). */
export const STORE_READY_TIMEOUT_MS = 10_000;

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
  readonly #reporting: StoreReporting;
  #available = true;
  /** Until the store is ready (its init promise settled), every call waits for this first. */
  #ready: Promise<void> | undefined;
  /** Whether the current outage was reported, so its recovery is too. */
  #reportedDown = false;
  #lastReportAt: number | undefined;
  #quietOutages = 0;

  constructor(store: SyncStore, timeoutMs: number, reporting: StoreReporting) {
    this.#store = store;
    this.#timeoutMs = timeoutMs;
    this.#reporting = reporting;
  }

  /**
   * Tells the store its namespace. A store still getting ready (a promise) holds every call until
   * it is, for up to {@link STORE_READY_TIMEOUT_MS}: a boot, not an outage. A failure only marks
   * the store unavailable.
   */
  init(namespace: string): void {
    let result: unknown;
    try {
      result = this.#store.init?.({ namespace });
    } catch (error) {
      this.#down(error);
      return;
    }
    if (!isThenable(result)) return;
    const notReady = () => new Error(`not ready within ${STORE_READY_TIMEOUT_MS} ms of start-up`);
    this.#ready = withTimeout(result, STORE_READY_TIMEOUT_MS, notReady).then(
      () => {
        this.#ready = undefined;
      },
      (error: unknown) => {
        this.#ready = undefined;
        this.#down(error);
      },
    );
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
    if (this.#ready !== undefined) await this.#ready;
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

  /**
   * The store failed a call. An outage is reported once, and outages are reported at most once
   * per interval: a store that flaps (answers, fails, answers) is one report, and one that stays
   * down after a brief outage is reported once the interval has passed.
   */
  #down(error: unknown): void {
    const wasAvailable = this.#available;
    this.#available = false;
    if (!wasAvailable && this.#reportedDown) return;
    const { log, intervalMs, now } = this.#reporting;
    const at = now();
    if (this.#lastReportAt !== undefined && at - this.#lastReportAt < intervalMs) {
      if (wasAvailable) this.#quietOutages++;
      return;
    }
    this.#lastReportAt = at;
    this.#reportedDown = true;
    const quiet = this.#quietOutages;
    this.#quietOutages = 0;
    const since = quiet > 0 ? ` (${quiet} brief outage(s) since the last report)` : '';
    log.log(
      'warn',
      { code: 'STORE_UNAVAILABLE' },
      `SupportDesk sync store unavailable, using the in-memory cache until it answers again${since}: ${messageOf(error)}`,
    );
  }

  #up(): void {
    if (this.#available) return;
    this.#available = true;
    if (!this.#reportedDown) return;
    this.#reportedDown = false;
    this.#reporting.log.log('info', { code: 'STORE_RECOVERED' }, 'SupportDesk sync store answers again');
  }
}
