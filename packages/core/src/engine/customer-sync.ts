import { callerName } from '../config.js';
import { SupportDeskError, SupportDeskErrorCode, SupportDeskValidationError } from '../errors.js';
import { GuardedStore } from '../store/guarded-store.js';
import { MemorySyncStore } from '../store/memory-store.js';
import { isLocalStore, type LocalStore } from '../store/store.js';
import { isThenable, messageOf } from '../util.js';
import { Admission } from './admission.js';
import { Dispatcher } from './dispatcher.js';
import { Failures } from './failures.js';
import { fingerprint } from './fingerprint.js';
import { Fleet } from './fleet.js';
import { JobTable } from './job.js';
import { defaultMapUser, externalIdKey } from './mapping.js';
import {
  type CustomerSyncOptions,
  missingKeyWarning,
  type ResolvedSyncOptions,
  resolveSyncOptions,
} from './options.js';
import type { SyncOutcome, SyncStats } from './outcome.js';
import { exitFlusher, Ledger, type Pending } from './pending.js';
import { type Logger, Reporter } from './reporter.js';
import { SendGate } from './send-gate.js';
import { buildClient, type SyncClient } from './sender-options.js';

/**
 * How adapters hand the engine a way to read the user (which may throw or be async) without
 * widening its documented API. `Symbol.for`, so a second copy of this package still matches.
 */
export const identifyWith: unique symbol = Symbol.for('supportdesk.CustomerSync.identifyWith');
/** The same, for adapters that discard the outcome (see `observeWith` on the engine). */
export const observeWith: unique symbol = Symbol.for('supportdesk.CustomerSync.observeWith');

const DEFAULT_CLOSE_MS = 10_000;

const IGNORED: SyncOutcome = Object.freeze({ status: 'ignored' });
const IGNORED_PROMISE = Promise.resolve(IGNORED);
/** What #check answers for a user synced with this payload within ttlMs; the id is in #skippedId. */
const SKIPPED: unique symbol = Symbol('skipped');

/** Edge runtimes have no `process` events; there is no exit to flush on there. */
const hasProcessEvents = (): boolean => typeof process !== 'undefined' && typeof process.on === 'function';

/** What the engine sends with, once enabled. */
interface Sending {
  client: SyncClient;
  shared: GuardedStore | undefined;
  jobs: JobTable;
  gate: SendGate;
  dispatcher: Dispatcher;
  admission: Admission;
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
  readonly #ledger = new Ledger();
  readonly #cache: LocalStore;
  readonly #sending: Sending | undefined;
  readonly #closed: SupportDeskError;
  readonly #onBeforeExit: () => void;
  #accepting: boolean;
  #closing: Promise<void> | undefined;
  /** The externalId of the last user #check found already synced (it answers SKIPPED, not an object). */
  #skippedId = '';

  /** @throws SupportDeskConfigError when an option is invalid, or the API key is missing. */
  constructor(options?: CustomerSyncOptions<TUser>) {
    const caller = callerName(options, 'new CustomerSync');
    const resolved = resolveSyncOptions(options, caller);
    this.#options = resolved;
    this.#mapUser = resolved.mapUser ?? (defaultMapUser as (user: TUser) => unknown);
    this.#accepting = resolved.enabled;
    this.#closed = new SupportDeskError('CustomerSync is closed: the sync was not sent', {
      code: SupportDeskErrorCode.CLOSED,
    });
    const reporter = new Reporter({
      onError: resolved.onError,
      onSync: resolved.onSync,
      logger: resolved.logger,
      now: resolved.now,
      intervalMs: resolved.reportIntervalMs,
      onceTtlMs: resolved.failureCooldownMs,
    });
    this.#reporter = reporter;
    this.#onBeforeExit = exitFlusher(this.#ledger, reporter);
    const given = resolved.store;
    this.#cache =
      given !== undefined && isLocalStore(given)
        ? given
        : new MemorySyncStore({
            // A disabled engine never caches: keep lru-cache from preallocating maxEntries slots.
            maxEntries: resolved.enabled ? resolved.maxEntries : 1,
            ttlMs: resolved.ttlMs,
            now: resolved.now,
          });
    if (resolved.missingKey) warnOnce(resolved.logger, missingKeyWarning(caller));
    if (!resolved.enabled) return;

    const client = resolved.client ?? buildClient(resolved, caller);
    const namespace = typeof client.namespace === 'string' ? client.namespace : 'default';
    this.#cache.init?.({ namespace });
    let shared: GuardedStore | undefined;
    if (given !== undefined && !isLocalStore(given)) {
      const reporting = { log: reporter, intervalMs: resolved.reportIntervalMs, now: resolved.now };
      shared = new GuardedStore(given, resolved.storeTimeoutMs, reporting);
      shared.init(namespace);
    }
    const jobs = new JobTable(this.#ledger, resolved.maxQueueSize);
    const gate = new SendGate(resolved.now);
    const fleet = shared?.sharesHolds ? new Fleet(shared, gate, reporter, this.#ledger) : undefined;
    const failures = new Failures(resolved, gate, reporter, fleet);
    const dispatcher = new Dispatcher({
      settings: resolved,
      client,
      cache: this.#cache,
      shared,
      jobs,
      ledger: this.#ledger,
      gate,
      failures,
      fleet,
      reporter,
    });
    const admission = new Admission({
      maxQueueSize: resolved.maxQueueSize,
      ledger: this.#ledger,
      failures,
      gate,
      jobs,
      dispatcher,
      reporter,
    });
    this.#sending = { client, shared, jobs, gate, dispatcher, admission };
    if (resolved.flushOnExit && hasProcessEvents()) process.on('beforeExit', this.#onBeforeExit);
  }

  /** The client the engine sends with (built from the options, or the one given); `undefined` when disabled. */
  get client(): SyncClient | undefined {
    return this.#sending?.client;
  }

  /**
   * Syncs `user` if it is new or changed. Returns at once; the promise never rejects.
   * Callers may ignore it.
   */
  identify(user: TUser): Promise<SyncOutcome> {
    return this.#identify(user, false) as Promise<SyncOutcome>;
  }

  /**
   * Like `identify`, with the user read by `read(first, second)` (an adapter's `getUser`, which
   * may throw or return a promise). The context is passed as two plain arguments, so a request
   * costs no closure and no array. For adapters only.
   * @internal
   */
  [identifyWith]<A, B>(read: (first: A, second: B) => unknown, first: A, second: B): Promise<SyncOutcome> {
    return this.#read(read, first, second, false) as Promise<SyncOutcome>;
  }

  /**
   * Like {@link identifyWith}, for an adapter that discards the outcome: an already-synced user
   * then costs no outcome object and no promise. For adapters only.
   * @internal
   */
  [observeWith]<A, B>(read: (first: A, second: B) => unknown, first: A, second: B): void {
    this.#read(read, first, second, true);
  }

  /** `quiet`: the caller discards the outcome, so what settles at once allocates no promise. */
  #read<A, B>(
    read: (first: A, second: B) => unknown,
    first: A,
    second: B,
    quiet: boolean,
  ): Promise<SyncOutcome> | undefined {
    if (!this.#accepting) return this.#refused(quiet);
    let user: unknown;
    try {
      user = read(first, second);
    } catch (error) {
      return this.#now(this.#unreadable(error, 'getUser'), quiet);
    }
    if (!isThenable(user)) return this.#identify(user as TUser, quiet);
    return this.#open((pending) =>
      this.#await(user, pending, 'getUser', (value) => this.#mapInto(value as TUser, pending)),
    );
  }

  #identify(user: TUser, quiet: boolean): Promise<SyncOutcome> | undefined {
    if (!this.#accepting) return this.#refused(quiet);
    if (user === null || user === undefined) return this.#now(IGNORED, quiet);
    let mapped: unknown;
    try {
      mapped = this.#mapUser(user);
    } catch (error) {
      return this.#now(this.#unreadable(error, 'mapUser'), quiet);
    }
    if (isThenable(mapped))
      return this.#open((pending) =>
        this.#await(mapped, pending, 'mapUser', (value) => this.#route(value, pending)),
      );
    const quick = this.#check(mapped);
    if (quick === SKIPPED) {
      // The fast path: counted without the generic keyed count, and nothing built for a quiet caller.
      this.#ledger.counts.skipped++;
      return quiet ? undefined : Promise.resolve({ status: 'skipped', externalId: this.#skippedId });
    }
    if (typeof quick !== 'string') return this.#now(quick, quiet);
    return this.#open((pending) =>
      this.#sending?.admission.admit(mapped as Record<string, unknown>, quick, pending),
    );
  }

  /** Resolves once nothing is queued, in flight or still being mapped, covering every identify already called. */
  flush(): Promise<void> {
    return this.#ledger.flush();
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
      ...this.#ledger.counts,
      queued: this.#sending?.jobs.waiting ?? 0,
      inFlight: this.#sending?.dispatcher.inFlight ?? 0,
    };
  }

  /** The fast path: an outcome now (ignored, invalid, skipped), or the fingerprint to go on with. */
  #check(mapped: unknown): SyncOutcome | string | typeof SKIPPED {
    const dispatcher = this.#sending?.dispatcher;
    if (dispatcher?.hasQueue) dispatcher.pump();
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
    // A safe-integer id (an SQL row's) is the same user as its decimal string.
    const externalId = externalIdKey((mapped as { externalId?: unknown }).externalId);
    if (externalId !== undefined && this.#cache.has(externalId, print)) {
      this.#skippedId = externalId;
      return SKIPPED;
    }
    return print;
  }

  #mapInto(user: TUser, pending: Pending): void {
    if (user === null || user === undefined) {
      this.#ledger.settle(pending, IGNORED);
      return;
    }
    let mapped: unknown;
    try {
      mapped = this.#mapUser(user);
    } catch (error) {
      this.#ledger.settle(pending, this.#unreadable(error, 'mapUser'));
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
    const { reading: waiting } = this.#ledger;
    if (waiting.size >= this.#options.maxQueueSize) {
      // Its answer is no longer wanted, but a rejection must still not go unhandled.
      answer.catch(() => undefined);
      this.#sending?.admission.drop(pending, undefined);
      return;
    }
    waiting.add(pending);
    answer
      .then(
        (value) => {
          waiting.delete(pending);
          if (!pending.done) then(value);
        },
        (error: unknown) => {
          waiting.delete(pending);
          this.#ledger.settle(pending, this.#unreadable(error, source));
        },
      )
      .catch((error: unknown) => this.#ledger.settle(pending, this.#unreadable(error, 'CustomerSync')));
  }

  #route(mapped: unknown, pending: Pending): void {
    const quick = this.#check(mapped);
    if (quick === SKIPPED) this.#ledger.settle(pending, { status: 'skipped', externalId: this.#skippedId });
    else if (typeof quick !== 'string') this.#ledger.settle(pending, quick);
    else this.#sending?.admission.admit(mapped as Record<string, unknown>, quick, pending);
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
      const pending = this.#ledger.open(resolve);
      try {
        start(pending);
      } catch (error) {
        this.#ledger.settle(pending, this.#unreadable(error, 'CustomerSync'));
      }
    });
  }

  /** An outcome known at once: counted, and a promise of it unless the caller is quiet. */
  #now(outcome: SyncOutcome, quiet: boolean): Promise<SyncOutcome> | undefined {
    this.#ledger.count(outcome.status);
    if (quiet) return undefined;
    return outcome === IGNORED ? IGNORED_PROMISE : Promise.resolve(outcome);
  }

  #refused(quiet: boolean): Promise<SyncOutcome> | undefined {
    if (!this.#options.enabled) return this.#now(IGNORED, quiet);
    return this.#now({ status: 'dropped', error: this.#closed }, quiet);
  }

  async #shutDown(timeoutMs: number): Promise<void> {
    this.#accepting = false;
    if (hasProcessEvents()) process.off('beforeExit', this.#onBeforeExit);
    const sending = this.#sending;
    const done = sending === undefined || (await this.#ledger.within(timeoutMs));
    // Nothing may outlive close(): no resume timer, no drop still waiting to be reported.
    sending?.gate.stop();
    this.#reporter.dropped(undefined, this.#options.maxQueueSize, true);
    if (!done && sending !== undefined) this.#abandon(sending, timeoutMs);
    if (sending?.shared !== undefined) await sending.shared.close();
    else if (this.#options.store !== undefined) this.#cache.close?.();
  }

  /** close() ran out of time: every identify still pending resolves now, and one report says how many. */
  #abandon(sending: Sending, timeoutMs: number): void {
    const error = new SupportDeskError(
      `CustomerSync.close() gave up after ${timeoutMs} ms: the sync was not sent`,
      { code: SupportDeskErrorCode.CLOSED },
    );
    let unsent = sending.dispatcher.abandon(error);
    for (const pending of this.#ledger.reading) {
      this.#ledger.settle(pending, { status: 'dropped', error });
      unsent++;
    }
    this.#ledger.reading.clear();
    if (unsent === 0) return;
    const summary = new SupportDeskError(
      `CustomerSync.close() gave up after ${timeoutMs} ms: ${unsent} sync(s) not sent`,
      { code: SupportDeskErrorCode.CLOSED },
    );
    this.#reporter.problem(summary, { status: 'dropped', error: summary }, 'warn', summary.message);
  }
}

/**
 * A start-up message: to the logger when there is one, else to the console, so it is seen even
 * when only onError was given (it is about configuration, not about a sync).
 */
function warnOnce(logger: Logger | undefined, message: string): void {
  try {
    if (typeof logger?.warn === 'function') logger.warn({ code: 'MISSING_API_KEY' }, message);
    else console.warn(`[supportdesk] ${message}`);
  } catch {
    // A broken logger must not break the host's start-up.
  }
}
