import type { SupportDeskAuthError } from '../errors.js';

/** setTimeout fires at once for delays above this, so longer pauses are re-armed in steps. */
const MAX_TIMER_MS = 2_147_483_647;
/** A 429 with `Retry-After: 0` must not turn the queue into a busy loop against the API. */
const MIN_PAUSE_MS = 1_000;

/**
 * Whether the engine may send right now: the 429 pause and the 401/403 cool-down. Both are
 * deadlines checked against the clock whenever the engine looks, so nothing depends on the
 * one resume timer firing (a frozen serverless process, fake timers); the timer only wakes
 * a queue that nobody else would.
 */
export class SendGate {
  readonly #now: () => number;
  #pausedUntil = 0;
  #resumeTimer: ReturnType<typeof setTimeout> | undefined;
  #authBlockedUntil = 0;
  #authError: SupportDeskAuthError | undefined;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** The auth error sending is stopped for, while its cool-down lasts. */
  authBlock(now: number = this.#now()): SupportDeskAuthError | undefined {
    return now < this.#authBlockedUntil ? this.#authError : undefined;
  }

  /** Stops all sending for `cooldownMs`; `true` when this starts a cool-down (report it), `false` during one. */
  blockAuth(error: SupportDeskAuthError, cooldownMs: number): boolean {
    const now = this.#now();
    if (now < this.#authBlockedUntil) return false;
    this.#authBlockedUntil = now + cooldownMs;
    this.#authError = error;
    return true;
  }

  /** Whether the queue is paused at `now`. */
  paused(now: number): boolean {
    return now < this.#pausedUntil;
  }

  /**
   * Pauses the queue for `pauseMs`, at least `minMs`; `true` when it was not paused already
   * (report it). A pause never shortens a longer one.
   */
  pause(pauseMs: number, minMs: number = MIN_PAUSE_MS): boolean {
    const now = this.#now();
    const wasPaused = now < this.#pausedUntil;
    this.#pausedUntil = Math.max(this.#pausedUntil, now + Math.max(pauseMs, minMs));
    return !wasPaused;
  }

  /** Calls `resume` once the pause is over, with one unref'd timer. */
  wakeAfterPause(now: number, resume: () => void): void {
    if (this.#resumeTimer !== undefined) return;
    const delay = Math.min(Math.max(1, Math.ceil(this.#pausedUntil - now)), MAX_TIMER_MS);
    this.#resumeTimer = setTimeout(() => {
      this.#resumeTimer = undefined;
      resume();
    }, delay);
    this.#resumeTimer.unref?.();
  }

  /** Clears the resume timer, so nothing outlives close(). */
  stop(): void {
    if (this.#resumeTimer !== undefined) clearTimeout(this.#resumeTimer);
    this.#resumeTimer = undefined;
  }
}
