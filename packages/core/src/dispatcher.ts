import { LRUCache } from 'lru-cache';
import {
  CustomerEmailExistsError,
  SupportDeskAuthError,
  SupportDeskError,
  SupportDeskErrorCode,
  SupportDeskRateLimitError,
  SupportDeskValidationError,
} from './errors.js';
import { type Job, newJob, type Pending, settleJob } from './job.js';
import { toUpsertRequest } from './mapping.js';
import type { MemorySyncStore } from './memory-store.js';
import type { ResolvedSyncOptions, SyncClient } from './options.js';
import { errorFields, type Reporter } from './reporter.js';
import type { CustomerInput, UpsertResult } from './schema.js';
import { SendGate } from './send-gate.js';
import type { GuardedStore } from './store-guard.js';
import type { SyncEvent, SyncOutcome, SyncStatus } from './sync-types.js';

export type { Pending } from './job.js';

/** A payload that must not be sent again before the cool-down: how its identifies resolve. */
interface Held {
  fingerprint: string;
  status: 'failed' | 'invalid';
  error: SupportDeskError;
}

/** Held-back failures are few; capping the LRU keeps its preallocated arrays small. */
const MAX_HELD = 10_000;

const isFinal = (error: SupportDeskError): boolean =>
  error instanceof SupportDeskValidationError || error instanceof CustomerEmailExistsError;

/** What the dispatcher needs of the engine it works for. */
export interface DispatcherContext {
  options: ResolvedSyncOptions<unknown>;
  client: SyncClient;
  cache: MemorySyncStore;
  shared: GuardedStore | undefined;
  reporter: Reporter;
  settle: (pending: Pending, outcome: SyncOutcome) => void;
  storeOp: (run: (store: GuardedStore) => Promise<void>) => void;
}

/**
 * Everything after the fast path: hold-backs, coalescing per externalId, the bounded queue,
 * the concurrency limit, the 429 pause and the 401/403 cool-down.
 */
export class Dispatcher {
  readonly #ctx: DispatcherContext;
  readonly #options: ResolvedSyncOptions<unknown>;
  readonly #gate: SendGate;
  readonly #jobs = new Map<string, Job>();
  readonly #held: LRUCache<string, Held> | undefined;
  readonly #abort = new AbortController();
  readonly #queueFull: SupportDeskError;
  #queue: Job[] = [];
  /** Jobs claiming, queued or waiting as a `next`: what `maxQueueSize` bounds. */
  #waiting = 0;
  #waiters = 0;
  #inFlight = 0;
  #pumping = false;

  constructor(ctx: DispatcherContext) {
    this.#ctx = ctx;
    this.#options = ctx.options;
    const { failureCooldownMs, maxEntries, maxQueueSize, now } = ctx.options;
    this.#gate = new SendGate(now);
    this.#held =
      failureCooldownMs > 0
        ? new LRUCache({
            max: Math.min(maxEntries, MAX_HELD),
            ttl: failureCooldownMs,
            ttlResolution: 0,
            perf: { now },
          })
        : undefined;
    this.#queueFull = new SupportDeskError(`SupportDesk sync queue is full (maxQueueSize ${maxQueueSize})`, {
      code: SupportDeskErrorCode.QUEUE_FULL,
      retryable: true,
    });
  }

  /** Syncs waiting now (claiming, queued, or a change behind an upsert in flight). */
  get queued(): number {
    return this.#waiting;
  }

  /** Upserts in flight now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Whether work waits to be sent: the engine then re-checks the pause deadline on each identify. */
  get hasQueue(): boolean {
    return this.#queue.length > 0;
  }

  /** Routes a mapped user that missed the in-memory cache. Settles `pending`, now or later. */
  admit(mapped: Record<string, unknown>, fingerprint: string, pending: Pending): void {
    const raw = mapped.externalId;
    const key = typeof raw === 'string' ? raw : String(raw).slice(0, 300);
    const held = this.#held?.get(key);
    if (held !== undefined && held.fingerprint === fingerprint) {
      this.#ctx.settle(pending, { status: held.status, externalId: key, error: held.error });
      return;
    }
    const checked = toUpsertRequest(mapped);
    if (checked.error !== undefined) {
      this.#held?.set(key, { fingerprint, status: 'invalid', error: checked.error });
      this.#ctx.reporter.problem(
        checked.error,
        { status: 'invalid', externalId: key, error: checked.error },
        'warn',
      );
      this.#ctx.settle(pending, { status: 'invalid', externalId: key, error: checked.error });
      return;
    }
    const authError = this.#gate.authBlock();
    if (authError !== undefined) {
      this.#ctx.settle(pending, { status: 'failed', externalId: key, error: authError });
      return;
    }
    const job = this.#jobs.get(key);
    if (job !== undefined) this.#join(job, fingerprint, checked.input, pending);
    else if (this.#waiting >= this.#options.maxQueueSize) this.drop(pending, key);
    else {
      const fresh = this.#newJob(key, fingerprint, checked.input, pending);
      this.#jobs.set(key, fresh);
      this.#start(fresh);
    }
  }

  /** Resolves `pending` as dropped because the queue is full, reporting drops in batches. */
  drop(pending: Pending, externalId: string | undefined): void {
    this.#ctx.settle(pending, { status: 'dropped', externalId, error: this.#queueFull });
    this.#ctx.reporter.dropped(externalId, this.#options.maxQueueSize);
  }

  /** Sends what the concurrency limit allows, unless paused. Also how a passed pause deadline is noticed. */
  pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      const now = this.#options.now();
      if (this.#gate.authBlock(now) !== undefined) this.#failWaiting();
      else if (this.#gate.paused(now)) this.#gate.wakeAfterPause(now, () => this.pump());
      else
        while (this.#inFlight < this.#options.concurrency && this.#queue.length > 0) {
          const job = this.#queue.shift();
          if (job !== undefined) this.#send(job);
        }
    } finally {
      this.#pumping = false;
    }
  }

  /** close() ran out of time: aborts requests in flight, settles every identify, answers how many syncs were not sent. */
  abandon(error: SupportDeskError): number {
    this.#abort.abort(error);
    this.stop();
    let unsent = 0;
    for (const job of this.#jobs.values()) {
      for (const item of job.next === undefined ? [job] : [job, job.next]) {
        item.abandoned = true;
        if (item.claimed) this.#release(item);
        this.#settle(item, item.state === 'sending' ? 'failed' : 'dropped', error);
        unsent++;
      }
    }
    this.#jobs.clear();
    this.#queue = [];
    this.#waiting = 0;
    return unsent;
  }

  /** Stops the resume timer and reports drops still held back, so nothing outlives close(). */
  stop(): void {
    this.#gate.stop();
    this.#ctx.reporter.dropped(undefined, this.#options.maxQueueSize, true);
  }

  #newJob(externalId: string, fingerprint: string, input: CustomerInput, owner: Pending): Job {
    this.#waiting++;
    return newJob(externalId, fingerprint, input, owner);
  }

  #join(job: Job, fingerprint: string, input: CustomerInput, pending: Pending): void {
    if (job.fingerprint === fingerprint) {
      // The payload in flight is the latest again: a change queued after it is superseded.
      const next = job.next;
      if (next !== undefined) {
        job.next = undefined;
        this.#waiting--;
        job.waiters.push(next.owner, ...next.waiters);
        this.#waiters++;
      }
      this.#wait(job, pending);
    } else if (job.state === 'queued' && !job.claimed) {
      job.fingerprint = fingerprint;
      job.input = input;
      this.#wait(job, pending);
    } else if (job.next !== undefined) {
      job.next.fingerprint = fingerprint;
      job.next.input = input;
      this.#wait(job.next, pending);
    } else if (this.#waiting >= this.#options.maxQueueSize) {
      this.drop(pending, job.externalId);
    } else {
      job.next = this.#newJob(job.externalId, fingerprint, input, pending);
      job.next.state = 'next';
    }
  }

  #wait(job: Job, pending: Pending): void {
    // Waiters cost a few bytes each, but a hot user must not grow them without bound.
    if (this.#waiters >= this.#options.maxQueueSize * 10) {
      this.#ctx.settle(pending, { status: 'coalesced', externalId: job.externalId });
      return;
    }
    job.waiters.push(pending);
    this.#waiters++;
  }

  #start(job: Job): void {
    const shared = this.#ctx.shared;
    if (shared === undefined) {
      this.#enqueue(job);
      return;
    }
    job.state = 'claiming';
    void shared
      .claim(job.externalId, job.fingerprint, this.#options.storeLeaseMs)
      .then((answer) => {
        if (job.abandoned) {
          if (answer === 'claimed')
            this.#ctx.storeOp((store) => store.release(job.externalId, job.fingerprint));
        } else if (answer === 'fresh' || answer === 'busy') {
          if (answer === 'fresh')
            this.#ctx.cache.commit(job.externalId, job.fingerprint, this.#options.ttlMs);
          this.#waiting--;
          this.#finish(job);
          this.#settle(job, 'skipped', undefined);
        } else {
          job.claimed = answer === 'claimed';
          this.#enqueue(job);
        }
      })
      .catch(this.#bug);
  }

  #enqueue(job: Job): void {
    job.state = 'queued';
    this.#queue.push(job);
    this.pump();
  }

  #send(job: Job): void {
    job.state = 'sending';
    this.#waiting--;
    this.#inFlight++;
    const startedAt = this.#options.now();
    let request: Promise<UpsertResult>;
    try {
      const signal = this.#abort.signal;
      request = Promise.resolve(this.#ctx.client.upsertCustomer(job.externalId, job.input, { signal }));
    } catch (error) {
      request = Promise.reject(error);
    }
    request
      .then(
        (result) => this.#succeeded(job, result, startedAt),
        (error: unknown) => this.#failed(job, error, startedAt),
      )
      .catch(this.#bug);
  }

  #succeeded(job: Job, result: UpsertResult, startedAt: number): void {
    this.#inFlight--;
    if (!job.abandoned) {
      const { externalId, fingerprint } = job;
      const { ttlMs } = this.#options;
      this.#ctx.cache.commit(externalId, fingerprint, ttlMs);
      this.#held?.delete(externalId);
      if (job.claimed) this.#ctx.storeOp((store) => store.commit(externalId, fingerprint, ttlMs));
      const wasCreated = result?.wasCreated === true;
      const durationMs = this.#options.now() - startedAt;
      this.#finish(job);
      this.#settle(job, 'synced', undefined, result);
      const reporter = this.#ctx.reporter;
      reporter.synced({ status: 'synced', externalId, customer: result?.customer, wasCreated, durationMs });
      reporter.log(
        'debug',
        { externalId, status: 'synced', wasCreated, durationMs },
        'SupportDesk customer synced',
      );
    }
    this.pump();
  }

  #failed(job: Job, cause: unknown, startedAt: number): void {
    this.#inFlight--;
    if (job.abandoned) {
      this.pump();
      return;
    }
    const { externalId } = job;
    const error =
      cause instanceof SupportDeskError
        ? cause
        : new SupportDeskError('SupportDesk upsert failed unexpectedly', {
            externalId,
            retryable: true,
            cause,
          });
    const event: SyncEvent = {
      status: 'failed',
      externalId,
      error,
      durationMs: this.#options.now() - startedAt,
    };
    if (error instanceof SupportDeskRateLimitError) {
      this.#rateLimited(job, error, event);
      return;
    }
    if (job.claimed) this.#release(job);
    let status: SyncStatus = 'failed';
    if (error instanceof SupportDeskAuthError) this.#blockAuth(error, event);
    else if (isFinal(error)) {
      // No HTTP status: the client refused the payload locally (too large, …).
      status = error.status === undefined ? 'invalid' : 'failed';
      this.#held?.set(externalId, { fingerprint: job.fingerprint, status, error });
      this.#ctx.reporter.problem(error, { ...event, status }, 'warn');
    } else this.#ctx.reporter.retryable(error, event);
    this.#finish(job);
    this.#settle(job, status, error);
    this.pump();
  }

  #rateLimited(job: Job, error: SupportDeskRateLimitError, event: SyncEvent): void {
    const pauseMs = error.retryAfterMs ?? this.#options.defaultRetryAfterMs;
    // Not lost: first in line once the pause is over. Its claim in the store is kept.
    job.state = 'queued';
    this.#waiting++;
    this.#queue.unshift(job);
    if (this.#gate.pause(pauseMs)) {
      const fields = errorFields(error, {
        externalId: job.externalId,
        status: 'queued',
        retryAfterMs: pauseMs,
      });
      this.#ctx.reporter.failed(error, event);
      this.#ctx.reporter.log(
        'warn',
        fields,
        `SupportDesk rate limit: sending paused for ${pauseMs} ms, queued syncs wait`,
      );
    }
    this.pump();
  }

  #blockAuth(error: SupportDeskAuthError, event: SyncEvent): void {
    const { authCooldownMs } = this.#options;
    if (!this.#gate.blockAuth(error, authCooldownMs)) return;
    const message = `SupportDesk refused the API key (${error.status ?? 'auth'}): sending stopped for ${authCooldownMs} ms`;
    this.#ctx.reporter.problem(error, event, 'error', message);
    this.#failWaiting();
  }

  /** During the auth cool-down nothing waiting can be sent: it fails now rather than sitting in memory. */
  #failWaiting(): void {
    const error = this.#gate.authBlock();
    if (error === undefined) return;
    for (const job of this.#queue) {
      this.#waiting--;
      if (job.claimed) this.#release(job);
      if (this.#jobs.get(job.externalId) === job) this.#jobs.delete(job.externalId);
      this.#settle(job, 'failed', error);
      if (job.next !== undefined) this.#failNext(job, error);
    }
    this.#queue = [];
    for (const job of this.#jobs.values()) if (job.next !== undefined) this.#failNext(job, error);
  }

  #failNext(job: Job, error: SupportDeskError): void {
    const next = job.next;
    if (next === undefined) return;
    job.next = undefined;
    this.#waiting--;
    this.#settle(next, 'failed', error);
  }

  /** Removes a finished job, or puts its `next` (the latest change) in its place. */
  #finish(job: Job): void {
    const next = job.next;
    if (next === undefined) {
      if (this.#jobs.get(job.externalId) === job) this.#jobs.delete(job.externalId);
      return;
    }
    job.next = undefined;
    this.#jobs.set(next.externalId, next);
    this.#start(next);
  }

  #settle(job: Job, status: SyncStatus, error: SupportDeskError | undefined, result?: UpsertResult): void {
    this.#waiters -= settleJob(job, this.#ctx.settle, status, error, result);
  }

  #release(job: Job): void {
    job.claimed = false;
    const { externalId, fingerprint } = job;
    this.#ctx.storeOp((store) => store.release(externalId, fingerprint));
  }

  /** The engine's own bug must surface in the log, never as an unhandled rejection in the host. */
  readonly #bug = (error: unknown): void => {
    const message = error instanceof Error ? error.message : String(error);
    this.#ctx.reporter.log('error', { code: 'INTERNAL_ERROR' }, `SupportDesk sync engine error: ${message}`);
  };
}
