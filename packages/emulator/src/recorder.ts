import type { IncomingMessage } from 'node:http';
import type { Fault, RecordedRequest } from './types.js';

/** Most of a body the log keeps, in bytes of UTF-8: enough to read, small enough to keep 1,000. */
export const MAX_RECORDED_BODY_BYTES = 16 * 1024;

/**
 * What the log keeps of a body read as `text` and parsed as `value`: all of it up to 16 KB, else
 * its first 16 KB of text (never half a character) marked `bodyTruncated`. `text` is `undefined`
 * for a body over the read limit, which is not kept at all.
 */
export function recordedBody(
  text: string | undefined,
  value: unknown,
  tooLarge: boolean,
): Pick<RecordedRequest, 'body' | 'bodyTruncated'> {
  if (tooLarge) return { body: undefined, bodyTruncated: true };
  if (text === undefined || text.length * 3 <= MAX_RECORDED_BODY_BYTES) return { body: value };
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= MAX_RECORDED_BODY_BYTES) return { body: value };
  // stream: true holds back a character cut in the middle instead of decoding it as U+FFFD.
  const cut = new TextDecoder().decode(bytes.subarray(0, MAX_RECORDED_BODY_BYTES), { stream: true });
  return { body: cut, bodyTruncated: true };
}

/** One logged request and, once answered, how it was answered. */
export interface LogEntry {
  /** 1, 2, 3…: never reused, not even after `clear()`, so a page can tell entries apart. */
  readonly id: number;
  readonly request: RecordedRequest;
  /** The injected fault that shaped the answer, if one did. */
  fault?: Readonly<Fault>;
  /** Set when the rate limit answered 429. */
  rateLimited?: true;
  /** `undefined` until answered (or dropped). */
  status?: number | 'dropped';
  /** From receipt to the end of the answer. */
  durationMs?: number;
}

/** The latest requests, bounded, plus a count of every request ever received. */
export class RequestRecorder {
  readonly #limit: number;
  /** A ring once full: `#oldest` is where the next record overwrites. */
  #items: LogEntry[] = [];
  #oldest = 0;
  #total = 0;
  #lastId = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Every request recorded since start or `clear()`, including those no longer kept. */
  get total(): number {
    return this.#total;
  }

  /** Keep `request`, overwriting the oldest once the limit is reached; the entry to complete later. */
  record(request: RecordedRequest): LogEntry {
    this.#total += 1;
    this.#lastId += 1;
    const entry: LogEntry = { id: this.#lastId, request };
    if (this.#limit === 0) return entry;
    if (this.#items.length < this.#limit) {
      this.#items.push(entry);
    } else {
      this.#items[this.#oldest] = entry;
      this.#oldest = (this.#oldest + 1) % this.#limit;
    }
    return entry;
  }

  /** The entries, oldest first. */
  entries(): LogEntry[] {
    return [...this.#items.slice(this.#oldest), ...this.#items.slice(0, this.#oldest)];
  }

  /** The requests, oldest first. */
  list(): RecordedRequest[] {
    return this.entries().map((entry) => entry.request);
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
