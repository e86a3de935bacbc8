import { LRUCache } from 'lru-cache';
import { SupportDeskError, SupportDeskErrorCode } from '../errors.js';
import type { SyncEvent } from './outcome.js';

/**
 * Where the engine writes its log lines: pino, console, or anything with these four methods
 * taking `(fields, message)`. Fields carry `externalId`, `status` and error codes, never an
 * email, a phone number or the API key.
 */
export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** The `onError` hook: every failure, typed. */
export type ErrorHook = (error: SupportDeskError, event: SyncEvent) => void;
/** The `onSync` hook: every upsert that reached SupportDesk. */
export type SyncHook = (event: SyncEvent) => void;

type Level = keyof Logger;

/** How many distinct "report once" keys (mapping error messages) are remembered. */
const MAX_ONCE_KEYS = 256;
/** How many distinct throttled problems (error codes) are tracked. */
const MAX_THROTTLES = 64;

const EMAIL = /[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[^\s@"'<>(),;:]+/g;
const PHONE = /\+?\(?\d[\d\s().-]{6,}\d/g;
/** Looks like a phone number to PHONE, but is what an operator needs to see: an IPv4 address. */
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

const maskPhone = (match: string): string => (IPV4.test(match) ? match : '[phone]');

/**
 * Log lines must never carry an email or a phone number; a message from user code or from a
 * server may hold either, so both are masked before a message is logged. IPv4 addresses (in
 * "could not reach 127.0.0.1:4010", say) are kept.
 */
export function redact(text: string): string {
  return text.replace(EMAIL, '[email]').replace(PHONE, maskPhone);
}

/** Warnings and errors to the console, for an engine given neither `logger` nor `onError`. */
const consoleLogger: Partial<Logger> = {
  warn: (fields, message) => console.warn(`[supportdesk] ${message}`, fields),
  error: (fields, message) => console.error(`[supportdesk] ${message}`, fields),
};

/** The fields of a log line about an error: codes and ids only. */
export function errorFields(
  error: SupportDeskError,
  fields: Record<string, unknown>,
): Record<string, unknown> {
  return { ...fields, code: error.code, httpStatus: error.status, retryable: error.retryable };
}

/**
 * Every call into user code the engine makes besides `mapUser`: the hooks and the logger.
 * Each is wrapped so a hook that throws never breaks the engine, and repeated problems are
 * reported once (per key) or at most once per interval.
 */
export class Reporter {
  readonly #onError: ErrorHook | undefined;
  readonly #onSync: SyncHook | undefined;
  readonly #logger: Partial<Logger> | undefined;
  readonly #now: () => number;
  readonly #intervalMs: number;
  readonly #once: LRUCache<string, true>;
  readonly #throttles = new Map<string, { reportedAt: number; suppressed: number }>();

  constructor(options: {
    onError: ErrorHook | undefined;
    onSync: SyncHook | undefined;
    logger: Logger | undefined;
    now: () => number;
    intervalMs: number;
    onceTtlMs: number;
  }) {
    this.#onError = options.onError;
    this.#onSync = options.onSync;
    this.#logger = options.logger ?? (options.onError === undefined ? consoleLogger : undefined);
    this.#now = options.now;
    this.#intervalMs = options.intervalMs;
    const now = options.now;
    this.#once = new LRUCache<string, true>({
      max: MAX_ONCE_KEYS,
      ttl: Math.max(1, options.onceTtlMs),
      ttlResolution: 0,
      perf: { now },
    });
  }

  /** Writes a log line; a logger that throws is ignored. */
  log(level: Level, fields: Record<string, unknown>, message: string): void {
    const write = this.#logger?.[level];
    if (typeof write !== 'function') return;
    try {
      write.call(this.#logger, fields, redact(message));
    } catch {
      // A broken logger must not break the host; there is nowhere left to report it.
    }
  }

  /** Calls `onSync`; a hook that throws is ignored. */
  synced(event: SyncEvent): void {
    if (this.#onSync === undefined) return;
    try {
      this.#onSync(event);
    } catch {
      // The hook is the user's; its failure is not the sync's.
    }
  }

  /** Calls `onError`; a hook that throws is ignored. */
  failed(error: SupportDeskError, event: SyncEvent): void {
    if (this.#onError === undefined) return;
    try {
      this.#onError(error, event);
    } catch {
      // The hook is the user's; its failure is not the sync's.
    }
  }

  /** `true` the first time `key` is seen (again after the cool-down), so a problem is reported once. */
  firstTime(key: string): boolean {
    if (this.#once.has(key)) return false;
    this.#once.set(key, true);
    return true;
  }

  /**
   * Counts an occurrence of `key` and answers how many were held back since the last report
   * plus this one, or 0 when this one should stay quiet (reported less than an interval ago).
   */
  throttle(key: string): number {
    const now = this.#now();
    const entry = this.#throttles.get(key);
    if (entry !== undefined && now - entry.reportedAt < this.#intervalMs) {
      entry.suppressed++;
      return 0;
    }
    const total = (entry?.suppressed ?? 0) + 1;
    if (entry === undefined && this.#throttles.size >= MAX_THROTTLES) this.#throttles.clear();
    this.#throttles.set(key, { reportedAt: now, suppressed: 0 });
    return total;
  }

  /** A failure for onError, with one log line (codes and ids as fields, the message masked). */
  problem(error: SupportDeskError, event: SyncEvent, level: 'warn' | 'error', message?: string): void {
    this.failed(error, event);
    this.log(
      level,
      errorFields(error, { externalId: event.externalId, status: event.status }),
      message ?? `SupportDesk sync ${event.status}: ${error.message}`,
    );
  }

  /** Every retryable failure reaches onError; the log gets one line per error code and interval. */
  retryable(error: SupportDeskError, event: SyncEvent): void {
    this.failed(error, event);
    const count = this.throttle(`retryable:${error.code}`);
    if (count === 0) return;
    this.log(
      'warn',
      errorFields(error, { externalId: event.externalId, status: 'failed', failures: count }),
      `SupportDesk upsert failed (${error.code}), will be tried again on a later request: ${error.message}`,
    );
  }

  /**
   * Drops reach onError and the log at most once per interval, with how many there were;
   * `final` (from close()) reports the ones still held back.
   */
  dropped(externalId: string | undefined, maxQueueSize: number, final = false): void {
    const count = final ? this.#takeSuppressed('dropped') : this.throttle('dropped');
    if (count === 0) return;
    const error = new SupportDeskError(
      `SupportDesk sync queue is full (maxQueueSize ${maxQueueSize}): ${count} sync(s) dropped`,
      { code: SupportDeskErrorCode.QUEUE_FULL, retryable: true, externalId },
    );
    this.problem(error, { status: 'dropped', externalId, error }, 'warn', error.message);
  }

  /** Occurrences of `key` counted but not reported yet, and forgets them. */
  #takeSuppressed(key: string): number {
    const entry = this.#throttles.get(key);
    if (entry === undefined) return 0;
    const suppressed = entry.suppressed;
    entry.suppressed = 0;
    return suppressed;
  }
}
