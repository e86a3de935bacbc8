import type { SupportDeskError } from '../errors.js';
import type { UpsertResult } from '../schema.js';
import type { GuardedStore } from '../store/guarded-store.js';
import type { LocalStore } from '../store/store.js';
import { asSupportDeskError, type Failures } from './failures.js';
import type { Fleet } from './fleet.js';
import type { Job, JobTable } from './job.js';
import type { SyncEvent } from './outcome.js';
import type { Ledger } from './pending.js';
import type { Reporter } from './reporter.js';
import type { SendGate } from './send-gate.js';
import type { SyncClient } from './sender-options.js';

/** The engine options the dispatcher reads. */
export interface DispatchSettings {
  concurrency: number;
  ttlMs: number;
  storeLeaseMs: number;
  now: () => number;
}

/** The shared state the dispatcher moves work through; the engine owns each piece. */
export interface DispatcherParts {
  settings: DispatchSettings;
  client: SyncClient;
  cache: LocalStore;
  shared: GuardedStore | undefined;
  jobs: JobTable;
  ledger: Ledger;
  gate: SendGate;
  failures: Failures;
  /** The instances sharing the store, when it shares holds: asked before each batch of sends. */
  fleet: Fleet | undefined;
  reporter: Reporter;
}

/**
 * Moves admitted jobs to SupportDesk: a claim in the shared store first (when there is one),
 * then the queue, at most `concurrency` upserts in flight, none while the gate is shut. Each
 * answer is written down into the shared state (cache, store, failures, jobs, ledger).
 */
export class Dispatcher {
  readonly #parts: DispatcherParts;
  readonly #abort = new AbortController();
  #queue: Job[] = [];
  #inFlight = 0;
  #pumping = false;
  #checkingFleet = false;

  constructor(parts: DispatcherParts) {
    this.#parts = parts;
  }

  /** Upserts in flight now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Whether work waits to be sent: the engine then re-checks the pause deadline on each identify. */
  get hasQueue(): boolean {
    return this.#queue.length > 0;
  }

  /** Sends `job` once it is its turn: after a claim in the shared store, if there is one. */
  start(job: Job): void {
    const { shared, settings } = this.#parts;
    if (shared === undefined) {
      this.#enqueue(job);
      return;
    }
    job.state = 'claiming';
    void shared
      .claim(job.externalId, job.fingerprint, settings.storeLeaseMs)
      .then((answer) => {
        if (job.abandoned) {
          if (answer === 'claimed') this.#storeWrite(shared.release(job.externalId, job.fingerprint));
        } else if (answer === 'fresh' || answer === 'busy') {
          if (answer === 'fresh') this.#parts.cache.commit(job.externalId, job.fingerprint, settings.ttlMs);
          this.#parts.jobs.leave(job);
          this.#finish(job);
          this.#parts.jobs.settle(job, 'skipped', undefined);
        } else {
          job.claimed = answer === 'claimed';
          this.#enqueue(job);
        }
      })
      .catch(this.#bug);
  }

  /**
   * Sends what the concurrency limit allows, unless paused. Also how a passed pause deadline is
   * noticed. With a fleet, each batch waits for a look at the holds other instances set.
   */
  pump(fleetChecked = false): void {
    if (this.#pumping || this.#checkingFleet) return;
    this.#pumping = true;
    try {
      const { gate, settings, fleet } = this.#parts;
      const now = settings.now();
      if (gate.authBlock(now) !== undefined) this.#failWaiting();
      else if (gate.paused(now)) gate.wakeAfterPause(now, () => this.pump());
      else if (this.#inFlight >= settings.concurrency || this.#queue.length === 0) return;
      else if (fleet !== undefined && !fleetChecked) this.#checkFleet(fleet);
      else
        while (this.#inFlight < settings.concurrency && this.#queue.length > 0) {
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
    const { jobs } = this.#parts;
    let unsent = 0;
    for (const job of jobs.all()) {
      job.abandoned = true;
      if (job.claimed) this.#release(job);
      jobs.settle(job, job.state === 'sending' ? 'failed' : 'dropped', error);
      unsent++;
    }
    jobs.clear();
    this.#queue = [];
    return unsent;
  }

  #checkFleet(fleet: Fleet): void {
    this.#checkingFleet = true;
    void fleet
      .check()
      .catch(this.#bug)
      .finally(() => {
        this.#checkingFleet = false;
        this.pump(true);
      });
  }

  #enqueue(job: Job): void {
    job.state = 'queued';
    this.#queue.push(job);
    this.pump();
  }

  #send(job: Job): void {
    this.#parts.jobs.leave(job, 'sending');
    this.#inFlight++;
    const startedAt = this.#parts.settings.now();
    let request: Promise<UpsertResult>;
    try {
      const signal = this.#abort.signal;
      // A 429 must pause every send, not be waited out inside this one while others go on.
      const options = { signal, rateLimit: 'reject' } as const;
      request = Promise.resolve(this.#parts.client.upsertCustomer(job.externalId, job.input, options));
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
      const { cache, shared, failures, jobs, reporter, settings } = this.#parts;
      cache.commit(externalId, fingerprint, settings.ttlMs);
      failures.succeeded(externalId);
      if (job.claimed && shared !== undefined)
        this.#storeWrite(shared.commit(externalId, fingerprint, settings.ttlMs));
      const wasCreated = result?.wasCreated === true;
      const durationMs = settings.now() - startedAt;
      this.#finish(job);
      jobs.settle(job, 'synced', undefined, result);
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
    if (!job.abandoned) {
      const { externalId, fingerprint } = job;
      const error = asSupportDeskError(cause, externalId);
      const durationMs = this.#parts.settings.now() - startedAt;
      const event: SyncEvent = { status: 'failed', externalId, error, durationMs };
      const next = this.#parts.failures.failed(externalId, fingerprint, error, event);
      if (next.requeue) {
        // Not lost: first in line once the pause is over. Its claim in the store is kept.
        this.#parts.jobs.rejoin(job);
        this.#queue.unshift(job);
      } else {
        if (job.claimed) this.#release(job);
        if (next.stopped) this.#failWaiting();
        this.#finish(job);
        this.#parts.jobs.settle(job, next.status, next.error);
      }
    }
    this.pump();
  }

  /** During the auth cool-down nothing waiting can be sent: it fails now rather than sitting in memory. */
  #failWaiting(): void {
    const { gate, jobs } = this.#parts;
    const error = gate.authBlock();
    if (error === undefined) return;
    for (const job of this.#queue) {
      jobs.leave(job);
      if (job.claimed) this.#release(job);
      jobs.forget(job);
      jobs.settle(job, 'failed', error);
      jobs.failNext(job, error);
    }
    this.#queue = [];
    for (const job of jobs.all()) jobs.failNext(job, error);
  }

  /** Ends `job`, and starts the change that waited behind it, if any. */
  #finish(job: Job): void {
    const next = this.#parts.jobs.finish(job);
    if (next !== undefined) this.start(next);
  }

  #release(job: Job): void {
    job.claimed = false;
    const { shared } = this.#parts;
    if (shared !== undefined) this.#storeWrite(shared.release(job.externalId, job.fingerprint));
  }

  /** A store write counts as pending work until it ends, so flush() and close() wait for it. */
  #storeWrite(write: Promise<void>): void {
    this.#parts.ledger.track(write);
  }

  /** The engine's own bug must surface in the log, never as an unhandled rejection in the host. */
  readonly #bug = (error: unknown): void => {
    const message = error instanceof Error ? error.message : String(error);
    this.#parts.reporter.log(
      'error',
      { code: 'INTERNAL_ERROR' },
      `SupportDesk sync engine error: ${message}`,
    );
  };
}
