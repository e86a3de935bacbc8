import type { SupportDeskError } from '../errors.js';
import type { CustomerInput, UpsertResult } from '../schema.js';
import type { SyncOutcome, SyncStatus } from './outcome.js';
import type { Ledger, Pending } from './pending.js';

/** One user's upsert: who waits for it, and the changed payload to send after it. */
export interface Job {
  externalId: string;
  fingerprint: string;
  input: CustomerInput;
  /** The identify that started it: `synced` on success. */
  owner: Pending;
  /** Identifies that joined it: `coalesced` on success. */
  waiters: Pending[];
  state: 'claiming' | 'queued' | 'sending' | 'next';
  /** Holds a claim in the shared store: commit on success, release on failure. */
  claimed: boolean;
  /** A changed payload that arrived while this one was claiming or sending (latest wins). */
  next: Job | undefined;
  /** Given up by close(): a late answer is ignored. */
  abandoned: boolean;
}

/**
 * The jobs in progress, one per user, and coalescing: an identify of a user whose upsert is
 * under way shares it, or (with a changed payload) becomes the one upsert sent after it.
 * Bounded: at most `maxQueueSize` jobs wait to be sent, and ten times that many identifies
 * wait on jobs.
 */
export class JobTable {
  readonly #jobs = new Map<string, Job>();
  readonly #ledger: Ledger;
  readonly #maxQueueSize: number;
  /** Jobs claiming, queued or waiting as a `next`: what `maxQueueSize` bounds. */
  #waiting = 0;
  #waiters = 0;

  constructor(ledger: Ledger, maxQueueSize: number) {
    this.#ledger = ledger;
    this.#maxQueueSize = maxQueueSize;
  }

  /** Jobs waiting to be sent (claiming, queued, or a change behind an upsert in flight). */
  get waiting(): number {
    return this.#waiting;
  }

  /** Whether no job can be added: an identify that needs one is dropped. */
  get full(): boolean {
    return this.#waiting >= this.#maxQueueSize;
  }

  /** The job in progress for `externalId`, if any. */
  get(externalId: string): Job | undefined {
    return this.#jobs.get(externalId);
  }

  /** Every job in progress and every change queued behind one. */
  *all(): IterableIterator<Job> {
    for (const job of this.#jobs.values()) {
      yield job;
      if (job.next !== undefined) yield job.next;
    }
  }

  /** A job for a user with none in progress, waiting until it is sent. Check {@link full} first. */
  add(externalId: string, fingerprint: string, input: CustomerInput, owner: Pending): Job {
    const job = this.#newJob(externalId, fingerprint, input, owner, 'queued');
    this.#jobs.set(externalId, job);
    return job;
  }

  /**
   * An identify of a user whose job is in progress: it waits on that job, or on the change
   * queued behind it, or becomes that change. `false` when a new change finds the queue full.
   */
  join(job: Job, fingerprint: string, input: CustomerInput, pending: Pending): boolean {
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
    } else if (this.full) {
      return false;
    } else {
      job.next = this.#newJob(job.externalId, fingerprint, input, pending, 'next');
    }
    return true;
  }

  /** `job` stops waiting: it is being sent, or settles without being sent. */
  leave(job: Job, state: Job['state'] = job.state): void {
    job.state = state;
    this.#waiting--;
  }

  /** `job` waits again (a 429 put it back in the queue). */
  rejoin(job: Job): void {
    job.state = 'queued';
    this.#waiting++;
  }

  /** Ends `job`: the user's next change, if one waits, becomes their job and is returned to start. */
  finish(job: Job): Job | undefined {
    const next = job.next;
    if (next === undefined) {
      this.forget(job);
      return undefined;
    }
    job.next = undefined;
    next.state = 'queued';
    this.#jobs.set(next.externalId, next);
    return next;
  }

  /** Stops tracking `job` (if it is still the user's job), leaving any change behind it untouched. */
  forget(job: Job): void {
    if (this.#jobs.get(job.externalId) === job) this.#jobs.delete(job.externalId);
  }

  /** Settles the change queued behind `job`, if any, with `error`. */
  failNext(job: Job, error: SupportDeskError): void {
    const next = job.next;
    if (next === undefined) return;
    job.next = undefined;
    this.#waiting--;
    this.settle(next, 'failed', error);
  }

  /**
   * Resolves everyone waiting on `job`: the owner with `status`, the waiters with the same
   * outcome (`coalesced` instead of `synced`).
   */
  settle(job: Job, status: SyncStatus, error: SupportDeskError | undefined, result?: UpsertResult): void {
    const owner: SyncOutcome = { status, externalId: job.externalId };
    if (result !== undefined) {
      owner.customer = result.customer;
      owner.wasCreated = result.wasCreated === true;
    }
    if (error !== undefined) owner.error = error;
    this.#ledger.settle(job.owner, owner);
    const shared: SyncOutcome = status === 'synced' ? { ...owner, status: 'coalesced' } : owner;
    for (const waiter of job.waiters) this.#ledger.settle(waiter, { ...shared });
    this.#waiters -= job.waiters.length;
    job.waiters = [];
  }

  /** Forgets every job (close() gave up on them). */
  clear(): void {
    this.#jobs.clear();
    this.#waiting = 0;
  }

  #newJob(
    externalId: string,
    fingerprint: string,
    input: CustomerInput,
    owner: Pending,
    state: Job['state'],
  ): Job {
    this.#waiting++;
    return {
      externalId,
      fingerprint,
      input,
      owner,
      waiters: [],
      state,
      claimed: false,
      next: undefined,
      abandoned: false,
    };
  }

  #wait(job: Job, pending: Pending): void {
    // Waiters cost a few bytes each, but a hot user must not grow them without bound.
    if (this.#waiters >= this.#maxQueueSize * 10) {
      this.#ledger.settle(pending, { status: 'coalesced', externalId: job.externalId });
      return;
    }
    job.waiters.push(pending);
    this.#waiters++;
  }
}
