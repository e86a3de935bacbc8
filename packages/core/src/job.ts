import type { SupportDeskError } from './errors.js';
import type { CustomerInput, UpsertResult } from './schema.js';
import type { SyncOutcome, SyncStatus } from './sync-types.js';

/** An identify that has not resolved yet. */
export interface Pending {
  resolve: (outcome: SyncOutcome) => void;
  done: boolean;
}

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

/** A job for `owner`, queued until the engine starts it. */
export function newJob(externalId: string, fingerprint: string, input: CustomerInput, owner: Pending): Job {
  return {
    externalId,
    fingerprint,
    input,
    owner,
    waiters: [],
    state: 'queued',
    claimed: false,
    next: undefined,
    abandoned: false,
  };
}

/**
 * Resolves everyone waiting on `job`: the owner with `status`, the waiters with the same
 * outcome (`coalesced` instead of `synced`). Answers how many waiters it released.
 */
export function settleJob(
  job: Job,
  settle: (pending: Pending, outcome: SyncOutcome) => void,
  status: SyncStatus,
  error: SupportDeskError | undefined,
  result?: UpsertResult,
): number {
  const owner: SyncOutcome = { status, externalId: job.externalId };
  if (result !== undefined) {
    owner.customer = result.customer;
    owner.wasCreated = result.wasCreated === true;
  }
  if (error !== undefined) owner.error = error;
  settle(job.owner, owner);
  const shared: SyncOutcome = status === 'synced' ? { ...owner, status: 'coalesced' } : owner;
  for (const waiter of job.waiters) settle(waiter, { ...shared });
  const released = job.waiters.length;
  job.waiters = [];
  return released;
}
