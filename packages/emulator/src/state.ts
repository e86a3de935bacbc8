import { EventHub } from './admin/events.js';
import type { SnapshotRecord } from './admin/snapshot.js';
import { loggedRequest } from './admin/views.js';
import { CustomerBook } from './customers.js';
import { FaultList } from './faults.js';
import { RateLimiter, type ResolvedRateLimit, rateLimitProblem, resolveRateLimit } from './rate-limit.js';
import { type LogEntry, RequestRecorder } from './recorder.js';
import type { Fault, RateLimit } from './types.js';

/**
 * Everything an emulator holds, changed only through these methods, so that the API, the admin
 * API and the `Emulator` object act alike and the dashboard hears of every change.
 */
export class EmulatorState {
  readonly customers = new CustomerBook();
  readonly faults = new FaultList();
  readonly recorder: RequestRecorder;
  readonly events = new EventHub();
  #limiter: RateLimiter | undefined;

  constructor(maxRecordedRequests: number, rateLimit: RateLimit | undefined) {
    this.recorder = new RequestRecorder(maxRecordedRequests);
    this.#limiter = rateLimit ? new RateLimiter(resolveRateLimit(rateLimit)) : undefined;
  }

  /** The limiter in force, if any. */
  get limiter(): RateLimiter | undefined {
    return this.#limiter;
  }

  /** The rate limit in force, `null` when none. */
  get rateLimit(): ResolvedRateLimit | null {
    return this.#limiter?.limit ?? null;
  }

  /** Replace the rate limit (buckets start full), or remove it; throws `TypeError` when invalid. */
  setRateLimit(rateLimit: RateLimit | undefined): void {
    if (rateLimit !== undefined) {
      const problem = rateLimitProblem(rateLimit, 'rateLimit.');
      if (problem) throw new TypeError(`Invalid rate limit: ${problem}`);
    }
    this.#limiter = rateLimit ? new RateLimiter(resolveRateLimit(rateLimit)) : undefined;
    this.events.changed('rate-limit');
  }

  /** Add a fault; throws `TypeError` when invalid. */
  inject(fault: Fault): void {
    this.faults.add(fault);
    this.events.changed('faults');
  }

  /** Remove every fault. */
  clearFaults(): void {
    this.faults.clear();
    this.events.changed('faults');
  }

  /** Replace every customer by those of a checked snapshot. */
  restore(records: SnapshotRecord[]): void {
    this.customers.restore(records);
    this.events.changed('customers');
  }

  /** Drop customers, faults and recorded requests. The rate limit stays, its buckets refilled. */
  reset(): void {
    this.customers.clear();
    this.faults.clear();
    this.recorder.clear();
    if (this.#limiter) this.#limiter = new RateLimiter(this.#limiter.limit);
    this.events.changed('reset');
  }

  /** A logged request was answered: tell the dashboard. */
  answered(entry: LogEntry): void {
    this.events.publish('request', loggedRequest(entry));
  }
}
