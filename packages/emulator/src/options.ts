import { rateLimitProblem } from './rate-limit.js';
import type { EmulatorOptions, RateLimit, ResponseEvent } from './types.js';

/** Options with every default applied. */
export interface ResolvedOptions {
  port: number;
  host: string;
  apiKeys: ReadonlySet<string> | undefined;
  maxRecordedRequests: number;
  requestTimeoutMs: number;
  rateLimit: RateLimit | undefined;
  onResponse: ((event: ResponseEvent) => void) | undefined;
}

/** Defaults of {@link EmulatorOptions}. */
export const DEFAULT_OPTIONS = {
  port: 0,
  host: '127.0.0.1',
  maxRecordedRequests: 1_000,
  requestTimeoutMs: 30_000,
} as const;

/** Apply defaults and refuse bad options at start, with a message that says what to pass. */
export function resolveOptions(options: EmulatorOptions): ResolvedOptions {
  const port = options.port ?? DEFAULT_OPTIONS.port;
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new RangeError(`port must be an integer from 0 to 65535 (got ${String(port)})`);
  const host = options.host ?? DEFAULT_OPTIONS.host;
  if (typeof host !== 'string' || host.length === 0) throw new TypeError('host must be a non-empty string');
  const max = options.maxRecordedRequests ?? DEFAULT_OPTIONS.maxRecordedRequests;
  if (!Number.isInteger(max) || max < 0)
    throw new RangeError(`maxRecordedRequests must be an integer >= 0 (got ${String(max)})`);
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_OPTIONS.requestTimeoutMs;
  if (!Number.isInteger(requestTimeoutMs) || requestTimeoutMs <= 0)
    throw new RangeError(`requestTimeoutMs must be a positive integer (got ${String(requestTimeoutMs)})`);
  let apiKeys: Set<string> | undefined;
  if (options.apiKeys !== undefined) {
    if (!Array.isArray(options.apiKeys) || options.apiKeys.length === 0)
      throw new TypeError('apiKeys must be a non-empty array of keys; leave it out to accept any key');
    if (options.apiKeys.some((key) => typeof key !== 'string' || key.length === 0))
      throw new TypeError('apiKeys must hold non-empty strings only');
    apiKeys = new Set(options.apiKeys);
  }
  if (options.rateLimit !== undefined) {
    const problem = rateLimitProblem(options.rateLimit, 'rateLimit.');
    if (problem) throw new TypeError(problem);
  }
  if (options.onResponse !== undefined && typeof options.onResponse !== 'function')
    throw new TypeError('onResponse must be a function');
  return {
    port,
    host,
    apiKeys,
    maxRecordedRequests: max,
    requestTimeoutMs,
    rateLimit: options.rateLimit === undefined ? undefined : { ...options.rateLimit },
    onResponse: options.onResponse,
  };
}
