import { SupportDeskClient } from './client.js';
import { Dispatcher, type Pending } from './dispatcher.js';
import { SupportDeskError, SupportDeskErrorCode, SupportDeskValidationError } from './errors.js';
import { fingerprint } from './fingerprint.js';
import { exitFlusher, IdleTracker } from './idle.js';
import { defaultMapUser } from './mapping.js';
import { MemorySyncStore } from './memory-store.js';
import {
  type CustomerSyncOptions,
  type ResolvedSyncOptions,
  resolveSyncOptions,
  type SyncClient,
} from './options.js';
import { Reporter } from './reporter.js';
import { GuardedStore, isThenable } from './store-guard.js';
import type { SyncOutcome, SyncStats, SyncStatus } from './sync-types.js';

export type { CustomerSyncOptions, Logger, SyncClient } from './options.js';
export type { SyncEvent, SyncOutcome, SyncStats, SyncStatus } from './sync-types.js';

/**
 * How adapters hand the engine a way to read the user (which may throw or be async) without
 * widening its documented API. `Symbol.for`, so a second copy of this package still matches.
 */
export const identifyWith: unique symbol = Symbol.for('supportdesk.CustomerSync.identifyWith');

const DEFAULT_CLOSE_MS = 10_000;

const IGNORED: SyncOutcome = Object.freeze({ status: 'ignored' });
const IGNORED_PROMISE = Promise.resolve(IGNORED);

/** Edge runtimes have no `process` events; there is no exit to flush on there. */
const hasProcessEvents = (): boolean => typeof process !== 'undefined' && typeof process.on === 'function';

function messageOf(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return 'an unprintable value was thrown';
  }
}

/**
 * The sync engine: map → dedupe → coalesce → queue → upsert. `identify(user)` returns at once
 * and never rejects; an already-synced, unchanged user costs a cache lookup and nothing else.
 *
 * @example
 * const sync = new CustomerSync({
 *   apiKey: process.env.SUPPORTDESK_API_KEY,
 *   mapUser: (user) => ({ externalId: user.id, email: user.email, name: user.name }),
 * });
 * await sync.identify(req.user); // { status: 'synced' | 'skipped' | … }
 * process.once('SIGTERM', () => void sync.close());
 */
export class CustomerSync<TUser = unknown> {
  readonly #options: ResolvedSyncOptions<TUser>;
  readonly #mapUser: (user: TUser) => unknown;
  readonly #reporter: Reporter;
  readonly #client: SyncClient | undefined;
  readonly #cache: MemorySyncStore;
  readonly #shared: GuardedStore | undefined;
  readonly #dispatcher: Dispatcher | undefined;
  readonly #closed: SupportDeskError;
  readonly #counts = {
    synced: 0,
    created: 0,
    skipped: 0,
    coalesced: 0,
    failed: 0,
    dropped: 0,
    ignored: 0,
    invalid: 0,
  };
  readonly #tracker = new IdleTracker();
  /** Identifies waiting on an async mapUser or getUser: bounded, and given up by close() if need be. */
  readonly #reading = new Set<Pending>();
  readonly #onBeforeExit: () => void;
  #accepting: boolean;
  #closing: Promise<void> | undefined;

  /** @throws SupportDeskConfigError when an option is invalid, or the API key is missing. */
  constructor(options?: CustomerSyncOptions<TUser>) {
    const resolved = resolveSyncOptions(options);
    this.#options = resolved;
    this.#mapUser = resolved.mapUser ?? (defaultMapUser as (user: TUser) => unknown);
    this.#accepting = resolved.enabled;
    this.#closed = new SupportDeskError('CustomerSync is closed: the sync was not sent', {
      code: SupportDeskErrorCode.CLOSED,
    });
    this.#reporter = new Reporter({
      onError: resolved.onError,
      onSync: resolved.onSync,
      logger: resolved.logger,
      now: resolved.now,
      intervalMs: resolved.reportIntervalMs,
      onceTtlMs: resolved.failureCooldownMs,
    });
    this.#onBeforeExit = exitFlusher(this.#tracker, this.#reporter);
    const given = resolved.store;
    this.#cache =
      given instanceof MemorySyncStore
        ? given
        : new MemorySyncStore({
            // A disabled engine never caches: keep lru-cache from preallocating maxEntries slots.
            maxEntries: resolved.enabled ? resolved.maxEntries : 1,
            ttlMs: resolved.ttlMs,
            now: resolved.now,
          });
    if (!resolved.enabled) return;

    const client = resolved.client ?? this.#buildClient(resolved);
    this.#client = client;
    const namespace = typeof client.namespace === 'string' ? client.namespace : 'default';
    this.#cache.init({ namespace });
    if (given !== undefined && !(given instanceof MemorySyncStore)) {
      this.#shared = new GuardedStore(given, resolved.storeTimeoutMs, this.#reporter);
      this.#shared.init(namespace);
    }
    this.#dispatcher = new Dispatcher({
      options: resolved as ResolvedSyncOptions<unknown>,
      client,
      cache: this.#cache,
      shared: this.#shared,
      reporter: this.#reporter,
      settle: (pending, outcome) => this.#settle(pending, outcome),
      storeOp: (run) => this.#storeOp(run),
    });
    if (resolved.flushOnExit && hasProcessEvents()) process.on('beforeExit', this.#onBeforeExit);
  }

  /** The client the engine sends with (built from the options, or the one given); `undefined` when disabled. */
  get client(): SyncClient | undefined {
    return this.#client;
  }

  /**
   * Syncs `user` if it is new or changed. Returns at once; the promise never rejects.
   * Callers may ignore it.
   */
  identify(user: TUser): Promise<SyncOutcome> {
    if (!this.#accepting) return this.#refused();
    if (user === null || user === undefined) return this.#quickly(IGNORED);
    let mapped: unknown;
    try {
      mapped = this.#mapUser(user);
    } catch (error) {
      return this.#quickly(this.#unreadable(error, 'mapUser'));
    }
    if (isThenable(mapped))
      return this.#open((pending) =>
        this.#await(mapped, pending, 'mapUser', (value) => this.#route(value, pending)),
      );
    const quick = this.#check(mapped);
    if (typeof quick !== 'string') {
      // The fast path: counted without the generic keyed #count.
      if (quick.status !== 'skipped') return this.#quickly(quick);
      this.#counts.skipped++;
      return Promise.resolve(quick);
    }
    return this.#open((pending) =>
      this.#dispatcher?.admit(mapped as Record<string, unknown>, quick, pending),
    );
  }

  /**
   * Like `identify`, with the user read by `read` (an adapter's `getUser`, which may throw or
   * return a promise). For adapters only.
   * @internal
   */
  [identifyWith](read: () => unknown, source: string): Promise<SyncOutcome> {
    if (!this.#accepting) return this.#refused();
    let user: unknown;
    try {
      user = read();
    } catch (error) {
      return this.#quickly(this.#unreadable(error, source));
    }
    if (!isThenable(user)) return this.identify(user as TUser);
    return this.#open((pending) =>
      this.#await(user, pending, source, (value) => this.#mapInto(value as TUser, pending)),
    );
  }

  /** Resolves once nothing is queued, in flight or still being mapped, covering every identify already called. */
  flush(): Promise<void> {
    return this.#tracker.flush();
  }

  /**
   * Stops accepting (later identifies resolve `dropped` with code `CLOSED`), sends what is
   * pending, then releases the store. Resolves by `timeoutMs` even if SupportDesk hangs:
   * requests still in flight are aborted and what could not be sent is reported. Idempotent.
   */
  close(timeoutMs: number = DEFAULT_CLOSE_MS): Promise<void> {
    this.#closing ??= this.#shutDown(
      Number.isFinite(timeoutMs) && timeoutMs >= 0 ? timeoutMs : DEFAULT_CLOSE_MS,
    );
    return this.#closing;
  }

  /** Counters since the engine was made, and the current queue. */
  stats(): SyncStats {
    return {
      ...this.#counts,
      queued: this.#dispatcher?.queued ?? 0,
      inFlight: this.#dispatcher?.inFlight ?? 0,
    };
  }

  #buildClient(options: ResolvedSyncOptions<TUser>): SupportDeskClient {
    const { apiKey, baseUrl, timeoutMs, maxRetries, fetch, userAgent } = options;
    const given = { apiKey, baseUrl, timeoutMs, maxRetries, fetch, userAgent };
    return new SupportDeskClient(
      Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)),
    );
  }

  /** The fast path: an outcome now (ignored, invalid, skipped), or the fingerprint to go on with. */
  #check(mapped: unknown): SyncOutcome | string {
    if (this.#dispatcher?.hasQueue) this.#dispatcher.pump();
    if (mapped === null || mapped === undefined) return IGNORED;
    if (typeof mapped !== 'object')
      return this.#unreadable(
        new TypeError(`mapUser must return an object or null (got ${typeof mapped})`),
        'mapUser',
      );
    let print: string;
    try {
      print = fingerprint(mapped);
    } catch (error) {
      return this.#unreadable(error, 'mapUser');
    }
    const externalId = (mapped as { externalId?: unknown }).externalId;
    if (typeof externalId === 'string' && this.#cache.has(externalId, print))
      return { status: 'skipped', externalId };
    return print;
  }

  #mapInto(user: TUser, pending: Pending): void {
    if (user === null || user === undefined) {
      this.#settle(pending, IGNORED);
      return;
    }
    let mapped: unknown;
    try {
      mapped = this.#mapUser(user);
    } catch (error) {
      this.#settle(pending, this.#unreadable(error, 'mapUser'));
      return;
    }
    if (isThenable(mapped)) this.#await(mapped, pending, 'mapUser', (value) => this.#route(value, pending));
    else this.#route(mapped, pending);
  }

  /** Waits for an async mapUser/getUser, at most maxQueueSize at a time (a hung one must not grow memory). */
  #await(
    reading: PromiseLike<unknown>,
    pending: Pending,
    source: string,
    then: (value: unknown) => void,
  ): void {
    const answer = Promise.resolve(reading);
    if (this.#reading.size >= this.#options.maxQueueSize) {
      // Its answer is no longer wanted, but a rejection must still not go unhandled.
      answer.catch(() => undefined);
      this.#dispatcher?.drop(pending, undefined);
      return;
    }
    this.#reading.add(pending);
    answer
      .then(
        (value) => {
          this.#reading.delete(pending);
          if (!pending.done) then(value);
        },
        (error: unknown) => {
          this.#reading.delete(pending);
          this.#settle(pending, this.#unreadable(error, source));
        },
      )
      .catch((error: unknown) => this.#settle(pending, this.#unreadable(error, 'CustomerSync')));
  }

  #route(mapped: unknown, pending: Pending): void {
    const quick = this.#check(mapped);
    if (typeof quick !== 'string') this.#settle(pending, quick);
    else this.#dispatcher?.admit(mapped as Record<string, unknown>, quick, pending);
  }

  /** A mapUser/getUser that threw or returned garbage: `invalid`, reported once per distinct message. */
  #unreadable(error: unknown, source: string): SyncOutcome {
    const message = messageOf(error);
    const reported = new SupportDeskValidationError(`${source} failed, the user was not synced: ${message}`, {
      cause: error,
    });
    if (this.#reporter.firstTime(`${source}\n${message}`)) {
      this.#reporter.failed(reported, { status: 'invalid', error: reported });
      this.#reporter.log('warn', { status: 'invalid', source }, reported.message);
    }
    return { status: 'invalid', error: reported };
  }

  /** Runs `start` with a new pending identify; anything it throws settles that identify instead. */
  #open(start: (pending: Pending) => void): Promise<SyncOutcome> {
    return new Promise<SyncOutcome>((resolve) => {
      const pending: Pending = { resolve, done: false };
      this.#tracker.opened();
      try {
        start(pending);
      } catch (error) {
        this.#settle(pending, this.#unreadable(error, 'CustomerSync'));
      }
    });
  }

  #quickly(outcome: SyncOutcome): Promise<SyncOutcome> {
    this.#count(outcome.status);
    return outcome === IGNORED ? IGNORED_PROMISE : Promise.resolve(outcome);
  }

  #refused(): Promise<SyncOutcome> {
    if (!this.#options.enabled) return this.#quickly(IGNORED);
    return this.#quickly({ status: 'dropped', error: this.#closed });
  }

  #count(status: SyncStatus): void {
    this.#counts[status]++;
  }

  #settle(pending: Pending, outcome: SyncOutcome): void {
    if (pending.done) return;
    pending.done = true;
    this.#count(outcome.status);
    if (outcome.status === 'synced' && outcome.wasCreated) this.#counts.created++;
    pending.resolve(outcome);
    this.#tracker.settled();
  }

  #storeOp(run: (store: GuardedStore) => Promise<void>): void {
    const shared = this.#shared;
    if (shared === undefined) return;
    this.#tracker.storeOpStarted();
    void run(shared).finally(() => this.#tracker.storeOpEnded());
  }

  async #shutDown(timeoutMs: number): Promise<void> {
    this.#accepting = false;
    if (hasProcessEvents()) process.off('beforeExit', this.#onBeforeExit);
    const dispatcher = this.#dispatcher;
    if (dispatcher !== undefined && !(await this.#tracker.within(timeoutMs)))
      this.#abandon(dispatcher, timeoutMs);
    dispatcher?.stop();
    if (this.#shared !== undefined) await this.#shared.close();
    else if (this.#options.store instanceof MemorySyncStore) this.#cache.close();
  }

  /** close() ran out of time: every identify still pending resolves now, and one report says how many. */
  #abandon(dispatcher: Dispatcher, timeoutMs: number): void {
    const error = new SupportDeskError(
      `CustomerSync.close() gave up after ${timeoutMs} ms: the sync was not sent`,
      {
        code: SupportDeskErrorCode.CLOSED,
      },
    );
    let unsent = dispatcher.abandon(error);
    for (const pending of this.#reading) {
      this.#settle(pending, { status: 'dropped', error });
      unsent++;
    }
    this.#reading.clear();
    if (unsent === 0) return;
    const summary = new SupportDeskError(
      `CustomerSync.close() gave up after ${timeoutMs} ms: ${unsent} sync(s) not sent`,
      {
        code: SupportDeskErrorCode.CLOSED,
      },
    );
    this.#reporter.problem(summary, { status: 'dropped', error: summary }, 'warn', summary.message);
  }
}
