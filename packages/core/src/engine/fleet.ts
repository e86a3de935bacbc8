import { SupportDeskAuthError, SupportDeskErrorCode, SupportDeskRateLimitError } from '../errors.js';
import type { GuardedStore } from '../store/guarded-store.js';
import type { SendingHoldReason } from '../store/store.js';
import type { Ledger } from './pending.js';
import type { Reporter } from './reporter.js';
import type { SendGate } from './send-gate.js';

/**
 * The instances that share a store, seen as one sender: a 429 or a refused key that one of them
 * meets holds them all (the limit and the key belong to the account). What this instance meets
 * is written to the store; before it sends, it reads what the others met. A hold it learns is
 * kept in its own gate, so while held it asks the store nothing; a store that cannot answer
 * leaves the local gate to decide alone.
 */
export class Fleet {
  readonly #store: GuardedStore;
  readonly #gate: SendGate;
  readonly #reporter: Reporter;
  readonly #ledger: Ledger;

  constructor(store: GuardedStore, gate: SendGate, reporter: Reporter, ledger: Ledger) {
    this.#store = store;
    this.#gate = gate;
    this.#reporter = reporter;
    this.#ledger = ledger;
  }

  /** Holds every instance for `durationMs`; the write counts as pending work for flush() and close(). */
  announce(reason: SendingHoldReason, durationMs: number): void {
    this.#ledger.track(this.#store.holdSending(reason, durationMs));
  }

  /** Reads the holds other instances announced and applies them here. Never rejects. */
  async check(): Promise<void> {
    const holds = await this.#store.sendingHeld();
    if (holds === undefined) return;
    if (holds.authMs > 0) {
      const error = new SupportDeskAuthError(
        `SupportDesk refused the API key on another instance sharing the store: sending stopped for ${holds.authMs} ms`,
        { code: SupportDeskErrorCode.UNAUTHORIZED },
      );
      if (this.#gate.blockAuth(error, holds.authMs))
        this.#reporter.problem(error, { status: 'failed', error }, 'error', error.message);
    }
    if (holds.rateLimitMs > 0 && this.#gate.pause(holds.rateLimitMs, 1)) {
      const error = new SupportDeskRateLimitError(
        `Another instance sharing the store was rate limited: sending paused for ${holds.rateLimitMs} ms`,
        { retryAfterMs: holds.rateLimitMs },
      );
      this.#reporter.log(
        'warn',
        { code: error.code, status: 'queued', retryAfterMs: holds.rateLimitMs },
        error.message,
      );
    }
  }
}
