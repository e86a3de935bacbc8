import type { SupportDeskError } from '../errors.js';

/**
 * Where an import stands, as `onProgress` sees it. Positions count from the start of the source,
 * `skip` rows included.
 */
export interface ImportProgress {
  /** Rows taken from the source so far, skipped rows included. */
  read: number;
  /**
   * Leading rows that are all settled (sent, unchanged, ignored, failed, invalid or skipped):
   * the resume point, to pass back as `skip`.
   */
  completed: number;
  /** Rows whose upsert created the customer (`wasCreated: true`). */
  created: number;
  /** Rows whose upsert updated an existing customer. */
  updated: number;
  /** Rows the `store` had already synced with the same payload: not sent. */
  unchanged: number;
  /** Rows `mapUser` mapped to `null` or `undefined`: not sent. */
  ignored: number;
  /** Rows whose upsert failed after the client's retries (reported through `onFailure`). */
  failed: number;
  /** Rows that could not be sent: `mapUser` threw, or the payload failed validation. */
  invalid: number;
  /** Upserts in flight now. */
  inFlight: number;
  /**
   * `true` while every send waits out a 429's `Retry-After` (this import's, or one that another
   * instance sharing `store` met): nothing fails meanwhile, the rows are sent after it.
   */
  paused: boolean;
}

/** What an import resolves to (and, on 401/403, what its error's `summary` holds). */
export interface ImportSummary extends Omit<ImportProgress, 'inFlight' | 'paused'> {
  /** Wall time of the import, in milliseconds. */
  durationMs: number;
  /**
   * `true` when `signal` stopped the import before the end of the source: rows from
   * `completed` on were not all settled (pass `completed` as `skip` to resume).
   */
  aborted: boolean;
}

/** One row that could not be imported, as `onFailure` sees it. */
export interface ImportFailure<TUser = unknown> {
  /** The row's position in the source, from 0, skipped rows included. */
  index: number;
  /** The row as the source gave it. */
  user: TUser;
  /** The customer's id, when the row was mapped that far. */
  externalId?: string | undefined;
  /**
   * Why: a `SupportDeskValidationError` for an invalid row (`mapUser` threw, a bad payload), the
   * upsert's error for a failed one (`CustomerEmailExistsError`, `SupportDeskApiError`, …).
   */
  error: SupportDeskError;
}

/** How a row settled: sent rows by `wasCreated`; `valid` is a dry run's row that would be sent. */
export type RowOutcome = 'created' | 'updated' | 'unchanged' | 'ignored' | 'failed' | 'invalid' | 'valid';

/** Where the import reads and how far it has settled. */
export interface Position {
  readonly read: number;
  readonly completed: number;
}

/** The counters of one import run. */
export class Tally {
  created = 0;
  updated = 0;
  unchanged = 0;
  ignored = 0;
  failed = 0;
  invalid = 0;

  /** Counts a settled row (a dry run's `valid` rows count nowhere but in `completed`). */
  count(outcome: RowOutcome): void {
    if (outcome !== 'valid') this[outcome]++;
  }

  progress({ read, completed }: Position, inFlight: number, paused: boolean): ImportProgress {
    const { created, updated, unchanged, ignored, failed, invalid } = this;
    return { read, completed, created, updated, unchanged, ignored, failed, invalid, inFlight, paused };
  }

  summary({ read, completed }: Position, durationMs: number, aborted: boolean): ImportSummary {
    const { created, updated, unchanged, ignored, failed, invalid } = this;
    return { read, completed, created, updated, unchanged, ignored, failed, invalid, durationMs, aborted };
  }
}
