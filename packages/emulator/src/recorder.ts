import type { IncomingMessage } from 'node:http';
import type { RecordedRequest } from './types.js';

/** The latest requests, bounded, plus a count of every request ever received. */
export class RequestRecorder {
  readonly #limit: number;
  /** A ring once full: `#oldest` is where the next record overwrites. */
  #items: RecordedRequest[] = [];
  #oldest = 0;
  #total = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Every request recorded since start or `clear()`, including those no longer kept. */
  get total(): number {
    return this.#total;
  }

  /** Keep `request`, overwriting the oldest once the limit is reached. */
  record(request: RecordedRequest): void {
    this.#total += 1;
    if (this.#limit === 0) return;
    if (this.#items.length < this.#limit) {
      this.#items.push(request);
      return;
    }
    this.#items[this.#oldest] = request;
    this.#oldest = (this.#oldest + 1) % this.#limit;
  }

  /** Oldest first. */
  list(): RecordedRequest[] {
    return [...this.#items.slice(this.#oldest), ...this.#items.slice(0, this.#oldest)];
  }

  /** Forget every request and zero the total. */
  clear(): void {
    this.#items = [];
    this.#oldest = 0;
    this.#total = 0;
  }
}

/** Request headers with lowercased names; repeats joined as HTTP allows. Names stay data. */
export function headersOf(req: IncomingMessage): Record<string, string> {
  const joined = new Map<string, string>();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] as string).toLowerCase();
    const value = req.rawHeaders[i + 1] as string;
    const previous = joined.get(name);
    joined.set(name, previous === undefined ? value : `${previous}, ${value}`);
  }
  return Object.fromEntries(joined);
}
