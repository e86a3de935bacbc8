import { SendGate } from '../engine/send-gate.js';
import { SupportDeskAuthError, SupportDeskErrorCode, type SupportDeskRateLimitError } from '../errors.js';
import type { GuardedStore } from '../store/guarded-store.js';

/** A 429 without `Retry-After` pauses this long, doubling while they follow one another… */
const FIRST_BARE_PAUSE_MS = 1_000;
/** …up to this. */
const LONGEST_BARE_PAUSE_MS = 30_000;
/** How often the holds of other instances sharing the store are read, while sending. */
const FLEET_CHECK_MS = 250;

/** What the pause needs of the import: a clock, a way to keep store writes counted, a way to stop. */
export interface PauseParts {
  now: () => number;
  /** The shared store, when there is one that shares holds between instances. */
  fleet: GuardedStore | undefined;
  /** How long a refused key holds the other instances (the engine's `authCooldownMs`). */
  authHoldMs: number;
  /** Counts a store write as pending work of the import, so the import settles after it. */
  track: (write: Promise<void>) => void;
  /** Another instance sharing the store had the key refused: the import must stop. */
  onFleetAuth: (error: SupportDeskAuthError) => void;
  /** Sending just paused (a 429 here, or a hold another instance set): progress says so. */
  onPause: () => void;
  /** A bug of the import itself: it must not become an unhandled rejection. */
  bug: (error: unknown) => void;
}

/**
 * The 429 pause of an import: any 429 stops every send until its `Retry-After` has passed (by
 * the engine's {@link SendGate}, so never less than 1 s and never shortened), and, with a store
 * that shares holds (`RedisSyncStore`), holds every instance of the account for as long; a hold
 * another instance set is read at most every 250 ms and holds this import too.
 */
export class Pause {
  readonly #parts: PauseParts;
  readonly #gate: SendGate;
  #bareStreak = 0;
  #checkedAt = Number.NEGATIVE_INFINITY;
  #checking = false;

  constructor(parts: PauseParts) {
    this.#parts = parts;
    this.#gate = new SendGate(parts.now);
  }

  /** Whether sends wait now. */
  get paused(): boolean {
    return this.#gate.paused(this.#parts.now());
  }

  /** Whether the holds of other instances must be read (or are being read) before the next send. */
  get fleetCheckDue(): boolean {
    if (this.#checking) return true;
    return this.#parts.fleet !== undefined && this.#parts.now() - this.#checkedAt >= FLEET_CHECK_MS;
  }

  /** A 429: pauses every send; `true` when it starts a pause (the pace should slow down). */
  rateLimited(error: SupportDeskRateLimitError): boolean {
    let pauseMs = error.retryAfterMs;
    if (pauseMs === undefined) {
      pauseMs = Math.min(LONGEST_BARE_PAUSE_MS, FIRST_BARE_PAUSE_MS * 2 ** this.#bareStreak);
      this.#bareStreak = Math.min(this.#bareStreak + 1, 16);
    }
    const started = this.#gate.pause(pauseMs);
    const { fleet, track, onPause } = this.#parts;
    if (started && fleet !== undefined) track(fleet.holdSending('rate-limit', pauseMs));
    if (started) onPause();
    return started;
  }

  /** An upsert went through: the next 429 without `Retry-After` starts from the shortest pause again. */
  succeeded(): void {
    this.#bareStreak = 0;
  }

  /** The key was refused: every instance sharing the store stops too. */
  refused(): void {
    const { fleet, track, authHoldMs } = this.#parts;
    if (fleet !== undefined) track(fleet.holdSending('auth', authHoldMs));
  }

  /** Calls `resume` once the pause is over (one unref'd timer; the import keeps the process alive). */
  wakeAfter(resume: () => void): void {
    this.#gate.wakeAfterPause(this.#parts.now(), resume);
  }

  /**
   * Reads the holds other instances set and applies them here, then calls `done`; while a read is
   * under way, a second call does nothing (the first one's `done` follows). Never rejects.
   */
  checkFleet(done: () => void): void {
    const { fleet, now, onFleetAuth, onPause, bug } = this.#parts;
    if (fleet === undefined || this.#checking) return;
    this.#checking = true;
    void fleet
      .sendingHeld()
      .then((holds) => {
        this.#checking = false;
        this.#checkedAt = now();
        if (holds !== undefined && holds.authMs > 0)
          onFleetAuth(
            new SupportDeskAuthError(
              `SupportDesk refused the API key on another instance sharing the store (sending is held for ${holds.authMs} ms)`,
              { code: SupportDeskErrorCode.UNAUTHORIZED },
            ),
          );
        if (holds !== undefined && holds.rateLimitMs > 0 && this.#gate.pause(holds.rateLimitMs, 1)) onPause();
        done();
      })
      .catch(bug);
  }

  /** Clears the resume timer: nothing outlives the import. */
  stop(): void {
    this.#gate.stop();
  }
}
