import type { SupportDeskError } from '../errors.js';
import type { Customer } from '../schema.js';

/**
 * What an identify did:
 * - `synced`: this identify's upsert reached SupportDesk;
 * - `skipped`: the user was synced with this payload less than `ttlMs` ago (or another
 *   instance sharing the store is sending it right now);
 * - `coalesced`: another identify of the same user was sending; this one shares its result;
 * - `failed`: the upsert failed, or the payload is held back after a final failure, or
 *   sending is paused after 401/403 (`error` says which);
 * - `dropped`: the queue was full, or the engine was closed;
 * - `ignored`: no user, `mapUser` returned nothing, or the engine is disabled;
 * - `invalid`: `mapUser` (or an adapter's `getUser`) threw, or the payload failed validation.
 */
export type SyncStatus = 'synced' | 'skipped' | 'coalesced' | 'failed' | 'dropped' | 'ignored' | 'invalid';

/** What `identify` resolves to. It never rejects. */
export interface SyncOutcome {
  /** What happened. */
  status: SyncStatus;
  /** The customer's externalId, once the user was mapped. */
  externalId?: string | undefined;
  /** The customer as SupportDesk stored it (`synced`, `coalesced`). */
  customer?: Customer | undefined;
  /** Whether the upsert created the customer (`synced`, `coalesced`). */
  wasCreated?: boolean | undefined;
  /** Why it failed (`failed`, `invalid`, `dropped`). */
  error?: SupportDeskError | undefined;
}

/** What `onSync` and `onError` receive besides the error. */
export interface SyncEvent extends SyncOutcome {
  /** How long the upsert took, retries included, when one was sent. */
  durationMs?: number | undefined;
}

/** Counters since the engine was made, and the current queue. */
export interface SyncStats {
  /** Identifies resolved `synced`: upserts that reached SupportDesk. */
  synced: number;
  /** Of those, upserts that created the customer. */
  created: number;
  /** Identifies resolved `skipped`. */
  skipped: number;
  /** Identifies resolved `coalesced`. */
  coalesced: number;
  /** Identifies resolved `failed`. */
  failed: number;
  /** Identifies resolved `dropped`. */
  dropped: number;
  /** Identifies resolved `ignored`. */
  ignored: number;
  /** Identifies resolved `invalid`. */
  invalid: number;
  /** Syncs waiting to be sent now. */
  queued: number;
  /** Upserts in flight now. */
  inFlight: number;
}
