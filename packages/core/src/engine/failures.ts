import { LRUCache } from 'lru-cache';
import { MISSING_ON_CREATE } from '../client/response.js';
import {
  CustomerEmailExistsError,
  SupportDeskApiError,
  SupportDeskAuthError,
  SupportDeskError,
  SupportDeskRateLimitError,
  SupportDeskValidationError,
} from '../errors.js';
import type { Fleet } from './fleet.js';
import type { SyncEvent, SyncStatus } from './outcome.js';
import { errorFields, type Reporter } from './reporter.js';
import type { SendGate } from './send-gate.js';

/** A payload that must not be sent again before the cool-down: how its identifies resolve. */
export interface Held {
  fingerprint: string;
  status: 'failed' | 'invalid';
  error: SupportDeskError;
}

/** What to do with a job whose upsert failed. */
export type Disposition =
  /** Put it first in line: the queue is paused (429) and it goes out after the pause. */
  | { requeue: true }
  /** Settle it with `status`; `stopped` when sending just stopped for every user (401/403). */
  | { requeue: false; status: SyncStatus; error: SupportDeskError; stopped: boolean };

/** Held-back failures are few; capping the LRU keeps its preallocated arrays small. */
const MAX_HELD = 10_000;

/**
 * What retrying cannot fix for this payload: the same payload would be refused again, or (a
 * redirect, a 404 of a wrong baseUrl, any answer the client does not retry) would meet the same
 * answer again.
 */
const isFinal = (error: SupportDeskError): boolean =>
  error instanceof SupportDeskValidationError ||
  error instanceof CustomerEmailExistsError ||
  (error instanceof SupportDeskApiError && !error.retryable);

/**
 * A 400 that the client traced to a missing email or name, told in terms of mapUser (the engine's
 * one report of it); any other error as it is.
 */
function forMapUser(error: SupportDeskError): SupportDeskError {
  if (!(error instanceof SupportDeskValidationError) || error.status !== 400) return error;
  if (!error.issues.some((issue) => issue.message === MISSING_ON_CREATE)) return error;
  const { status, code, externalId, issues } = error;
  const message = `${error.message}: mapUser must return both for a user who is not a customer yet`;
  return new SupportDeskValidationError(message, { status, code, externalId, issues, cause: error });
}

/** Anything a client threw, as a SupportDesk error. */
export function asSupportDeskError(cause: unknown, externalId: string): SupportDeskError {
  return cause instanceof SupportDeskError
    ? cause
    : new SupportDeskError('SupportDesk upsert failed unexpectedly', { externalId, retryable: true, cause });
}

/** Settings {@link Failures} reads from the engine options. */
export interface FailureSettings {
  failureCooldownMs: number;
  authCooldownMs: number;
  defaultRetryAfterMs: number;
  maxEntries: number;
  now: () => number;
}

/**
 * What each failure means, and the state it leaves behind: a 400, 409 or 3xx holds that payload
 * back for `failureCooldownMs` (reported once), a 401/403 stops all sending for `authCooldownMs`,
 * a 429 pauses the queue until `Retry-After`, anything else is retried on a later request.
 */
export class Failures {
  readonly #settings: FailureSettings;
  readonly #gate: SendGate;
  readonly #reporter: Reporter;
  readonly #held: LRUCache<string, Held> | undefined;
  readonly #fleet: Fleet | undefined;

  /** @param fleet the instances sharing the store, told of every pause and cool-down this one starts. */
  constructor(settings: FailureSettings, gate: SendGate, reporter: Reporter, fleet?: Fleet) {
    this.#settings = settings;
    this.#gate = gate;
    this.#reporter = reporter;
    this.#fleet = fleet;
    const { failureCooldownMs, maxEntries, now } = settings;
    this.#held =
      failureCooldownMs > 0
        ? new LRUCache({
            max: Math.min(maxEntries, MAX_HELD),
            ttl: failureCooldownMs,
            ttlResolution: 0,
            perf: { now },
          })
        : undefined;
  }

  /** The hold-back on this exact payload of `externalId`, while its cool-down lasts. */
  heldBack(externalId: string, fingerprint: string): Held | undefined {
    const held = this.#held?.get(externalId);
    return held !== undefined && held.fingerprint === fingerprint ? held : undefined;
  }

  /** A payload that failed validation before sending: held back and reported once. */
  invalid(externalId: string, fingerprint: string, error: SupportDeskValidationError): void {
    this.#held?.set(externalId, { fingerprint, status: 'invalid', error });
    this.#reporter.problem(error, { status: 'invalid', externalId, error }, 'warn');
  }

  /** The user synced: whatever was held back for them no longer applies. */
  succeeded(externalId: string): void {
    this.#held?.delete(externalId);
  }

  /** Decides what a failed upsert means, records it (pause, cool-down, hold-back) and reports it. */
  failed(externalId: string, fingerprint: string, error: SupportDeskError, event: SyncEvent): Disposition {
    if (error instanceof SupportDeskRateLimitError) {
      this.#rateLimited(externalId, error, event);
      return { requeue: true };
    }
    if (error instanceof SupportDeskAuthError)
      return { requeue: false, status: 'failed', error, stopped: this.#refusedKey(error, event) };
    if (isFinal(error)) {
      // No HTTP status: the client refused the payload locally (too large, …).
      const status =
        error instanceof SupportDeskValidationError && error.status === undefined ? 'invalid' : 'failed';
      const reported = forMapUser(error);
      this.#held?.set(externalId, { fingerprint, status, error: reported });
      this.#reporter.problem(reported, { ...event, status, error: reported }, 'warn');
      return { requeue: false, status, error: reported, stopped: false };
    }
    this.#reporter.retryable(error, event);
    return { requeue: false, status: 'failed', error, stopped: false };
  }

  #rateLimited(externalId: string, error: SupportDeskRateLimitError, event: SyncEvent): void {
    const pauseMs = error.retryAfterMs ?? this.#settings.defaultRetryAfterMs;
    if (!this.#gate.pause(pauseMs)) return;
    this.#fleet?.announce('rate-limit', pauseMs);
    this.#reporter.failed(error, event);
    this.#reporter.log(
      'warn',
      errorFields(error, { externalId, status: 'queued', retryAfterMs: pauseMs }),
      `SupportDesk rate limit: sending paused for ${pauseMs} ms, queued syncs wait`,
    );
  }

  /** `true` when this 401/403 starts a cool-down (reported once), `false` during one. */
  #refusedKey(error: SupportDeskAuthError, event: SyncEvent): boolean {
    const { authCooldownMs } = this.#settings;
    if (!this.#gate.blockAuth(error, authCooldownMs)) return false;
    this.#fleet?.announce('auth', authCooldownMs);
    const message = `SupportDesk refused the API key (${error.status ?? 'auth'}): sending stopped for ${authCooldownMs} ms`;
    this.#reporter.problem(error, event, 'error', message);
    return true;
  }
}
