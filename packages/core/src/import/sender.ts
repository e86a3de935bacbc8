import { asSupportDeskError } from '../engine/failures.js';
import type { SyncClient } from '../engine/sender-options.js';
import { type SupportDeskError, SupportDeskRateLimitError } from '../errors.js';
import type { UpsertResult } from '../schema.js';
import type { Pace } from './pace.js';
import type { Pause } from './pause.js';
import type { Ready } from './prepare.js';

/** A row on its way to SupportDesk. */
export interface Outbound {
  index: number;
  user: unknown;
  ready: Ready;
  /** Holds a claim in the store: released if the row is not sent. */
  claimed: boolean;
}

/** How a row's upsert ended: a result, an error other than 429, or not sent because sending stopped. */
export type Answer = { result: UpsertResult } | { error: SupportDeskError } | { unsent: true };

/** What the sender works with; the import owns each piece. */
export interface SenderParts {
  client: SyncClient;
  concurrency: number;
  pace: Pace;
  pause: Pause;
  now: () => number;
  /** Every row's end, but a 429 (the row is sent again after the pause). */
  answered: (row: Outbound, answer: Answer) => void;
  /** A bug of the import itself: it must not become an unhandled rejection. */
  bug: (error: unknown) => void;
}

/**
 * Sends prepared rows: in read order, at most `concurrency` in flight, at the pace, none while
 * a 429 pause holds. A row that meets a 429 is first in line again after the pause (rows retried
 * in index order, so `completed` moves as soon as it can), however many 429s it meets: the
 * client is told to reject a 429 at once (`rateLimit: 'reject'`), so they never use up its retries.
 */
export class Sender {
  readonly #parts: SenderParts;
  readonly #queue: Outbound[] = [];
  /** Rows that met a 429, sorted by index: sent before the queue. */
  readonly #retry: Outbound[] = [];
  #inFlight = 0;
  #stopped = false;
  #paceTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(parts: SenderParts) {
    this.#parts = parts;
  }

  /** Upserts in flight now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Sends `row` when its turn comes. */
  enqueue(row: Outbound): void {
    this.#queue.push(row);
    this.pump();
  }

  /** Sends what the limits allow now, and arranges to be called again when they allow more. */
  pump(): void {
    const { concurrency, pause, pace, now } = this.#parts;
    while (!this.#stopped && this.#inFlight < concurrency && this.#waiting > 0) {
      const delayMs = pace.delayMs(now());
      if (pause.paused) pause.wakeAfter(() => this.pump());
      else if (pause.fleetCheckDue) pause.checkFleet(() => this.pump());
      else if (delayMs > 0) this.#wakeIn(delayMs);
      else {
        const row = (this.#retry.shift() ?? this.#queue.shift()) as Outbound;
        pace.take(now());
        this.#send(row);
        continue;
      }
      return;
    }
  }

  /** Sends nothing more; answers the rows that were waiting, which the caller settles or gives back. */
  stop(): Outbound[] {
    this.#stopped = true;
    if (this.#paceTimer !== undefined) clearTimeout(this.#paceTimer);
    this.#paceTimer = undefined;
    this.#parts.pause.stop();
    return [...this.#retry.splice(0), ...this.#queue.splice(0)];
  }

  get #waiting(): number {
    return this.#retry.length + this.#queue.length;
  }

  #wakeIn(delayMs: number): void {
    if (this.#paceTimer !== undefined) return;
    this.#paceTimer = setTimeout(() => {
      this.#paceTimer = undefined;
      this.pump();
    }, delayMs);
    // The import keeps the process alive while it runs; this timer must not outlive it.
    this.#paceTimer.unref();
  }

  #send(row: Outbound): void {
    this.#inFlight++;
    const { externalId, input } = row.ready;
    let request: Promise<UpsertResult>;
    try {
      request = Promise.resolve(
        this.#parts.client.upsertCustomer(externalId, input, { rateLimit: 'reject' }),
      );
    } catch (error) {
      request = Promise.reject(error);
    }
    request
      .then(
        (result) => this.#end(row, { result }),
        (cause: unknown) => {
          const error = asSupportDeskError(cause, externalId);
          if (error instanceof SupportDeskRateLimitError) this.#rateLimited(row, error);
          else this.#end(row, { error });
        },
      )
      .catch(this.#parts.bug);
  }

  #end(row: Outbound, answer: Answer): void {
    this.#inFlight--;
    if ('result' in answer) this.#parts.pause.succeeded();
    this.#parts.answered(row, answer);
    this.pump();
  }

  #rateLimited(row: Outbound, error: SupportDeskRateLimitError): void {
    if (this.#stopped) {
      this.#end(row, { unsent: true });
      return;
    }
    this.#inFlight--;
    const { pause, pace, now } = this.#parts;
    if (pause.rateLimited(error)) pace.slowDown(now());
    let at = this.#retry.length;
    while (at > 0 && (this.#retry[at - 1] as Outbound).index > row.index) at--;
    this.#retry.splice(at, 0, row);
    this.pump();
  }
}
