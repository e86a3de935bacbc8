import { SupportDeskError, SupportDeskErrorCode } from '../errors.js';
import type { Dispatcher } from './dispatcher.js';
import type { Failures } from './failures.js';
import type { JobTable } from './job.js';
import { toUpsertRequest } from './mapping.js';
import type { Ledger, Pending } from './pending.js';
import type { Reporter } from './reporter.js';
import type { SendGate } from './send-gate.js';

/** The parts of the engine a mapped user goes through once it missed the cache. */
export interface AdmissionParts {
  maxQueueSize: number;
  ledger: Ledger;
  failures: Failures;
  gate: SendGate;
  jobs: JobTable;
  dispatcher: Dispatcher;
  reporter: Reporter;
}

/**
 * Decides what becomes of a mapped user that missed the cache: settled at once when its payload
 * is held back, invalid, or sending is stopped (401/403); else it joins the user's upsert in
 * progress, starts one, or is dropped when the queue is full.
 */
export class Admission {
  readonly #parts: AdmissionParts;
  readonly #queueFull: SupportDeskError;

  constructor(parts: AdmissionParts) {
    this.#parts = parts;
    this.#queueFull = new SupportDeskError(
      `SupportDesk sync queue is full (maxQueueSize ${parts.maxQueueSize})`,
      {
        code: SupportDeskErrorCode.QUEUE_FULL,
        retryable: true,
      },
    );
  }

  /** Routes `mapped` (whose payload fingerprint is `print`); settles `pending`, now or later. */
  admit(mapped: Record<string, unknown>, print: string, pending: Pending): void {
    const { ledger, failures, gate, jobs, dispatcher } = this.#parts;
    const raw = mapped.externalId;
    const key = typeof raw === 'string' ? raw : String(raw).slice(0, 300);
    const held = failures.heldBack(key, print);
    if (held !== undefined) {
      ledger.settle(pending, { status: held.status, externalId: key, error: held.error });
      return;
    }
    const checked = toUpsertRequest(mapped);
    if (checked.error !== undefined) {
      failures.invalid(key, print, checked.error);
      ledger.settle(pending, { status: 'invalid', externalId: key, error: checked.error });
      return;
    }
    const authError = gate.authBlock();
    if (authError !== undefined) {
      ledger.settle(pending, { status: 'failed', externalId: key, error: authError });
      return;
    }
    const job = jobs.get(key);
    if (job !== undefined) {
      if (!jobs.join(job, print, checked.input, pending)) this.drop(pending, key);
    } else if (jobs.full) this.drop(pending, key);
    else dispatcher.start(jobs.add(key, print, checked.input, pending));
  }

  /** Resolves `pending` as dropped because the queue is full, reporting drops in batches. */
  drop(pending: Pending, externalId: string | undefined): void {
    this.#parts.ledger.settle(pending, { status: 'dropped', externalId, error: this.#queueFull });
    this.#parts.reporter.dropped(externalId, this.#parts.maxQueueSize);
  }
}
