/**
 * What a client may be given and what it runs with: the options, their defaults, and the checks
 * that turn a wrong one into a SupportDeskConfigError when the client is made, never mid-request.
 */

import { version } from '../package.json';
import { SupportDeskConfigError } from './errors.js';
import { abortableSleep } from './retry.js';

/** Where SupportDesk's API lives unless `baseUrl` or `SUPPORTDESK_BASE_URL` says otherwise. */
export const DEFAULT_BASE_URL = 'https://supportdesk.innovartx.com/api/v1';

/** How {@link SupportDeskClient} reaches SupportDesk. Every option is checked when the client is made. */
export interface SupportDeskClientOptions {
  /**
   * The SupportDesk API key, sent as `X-API-Key` and nowhere else.
   * @default process.env.SUPPORTDESK_API_KEY
   */
  apiKey?: string | undefined;
  /**
   * The API root. Must be `https://`, or `http://` for a loopback host (localhost, 127.0.0.0/8,
   * [::1]) such as the emulator; no query or fragment. A trailing slash is ignored.
   * @default process.env.SUPPORTDESK_BASE_URL, else {@link DEFAULT_BASE_URL}
   */
  baseUrl?: string | undefined;
  /**
   * How long one attempt may take, reading the response included, before it counts as a timeout.
   * @default 10_000
   */
  timeoutMs?: number | undefined;
  /**
   * Retries after the first attempt, for network errors, timeouts, 408, 429 and 5xx.
   * @default 2
   */
  maxRetries?: number | undefined;
  /**
   * The fetch implementation to send requests with.
   * @default globalThis.fetch
   */
  fetch?: ((url: string, init: RequestInit) => Promise<Response>) | undefined;
  /**
   * Largest JSON body an upsert may send, in bytes; a bigger one is refused before sending.
   * @default 32_768
   */
  maxPayloadBytes?: number | undefined;
  /**
   * Backoff base: retry `n` (from 0) waits a random time up to `retryBaseDelayMs * 2^n`.
   * @default 250
   */
  retryBaseDelayMs?: number | undefined;
  /**
   * Longest backoff between two attempts (when the server sent no `Retry-After`).
   * @default 5_000
   */
  retryMaxDelayMs?: number | undefined;
  /**
   * Longest `Retry-After` waited for inside a call. A longer one rejects at once (429:
   * {@link SupportDeskRateLimitError} with `retryAfterMs`), so a caller can pause its own queue.
   * @default 60_000
   */
  maxRetryAfterMs?: number | undefined;
  /**
   * A product token appended to the User-Agent, e.g. `supportdesk-express/0.1.0` or `my-app/2.3.1`.
   * @default undefined
   */
  userAgent?: string | undefined;
  /**
   * Waits between attempts; must reject when `signal` aborts. Tests inject one to observe or
   * skip the waits.
   * @default an unref'd timer
   */
  sleep?: ((ms: number, signal: AbortSignal | undefined) => Promise<void>) | undefined;
  /**
   * Clock used to turn a `Retry-After` HTTP date into a delay, in epoch milliseconds.
   * @default Date.now
   */
  now?: (() => number) | undefined;
}

const MAX_TIMER_MS = 2_147_483_647;
const MAX_RETRIES = 10;
const HEADER_SAFE = /^[\x21-\x7e]+$/;
const PRODUCT_TOKENS = /^[\x21-\x7e]+(?: [\x21-\x7e]+)*$/;

/** Options after defaults: every field present; `userAgent` is the full header value. */
export type Settings = { [K in keyof SupportDeskClientOptions]-?: NonNullable<SupportDeskClientOptions[K]> };

/**
 * Applies the defaults (environment variables included) to `options` and checks every field.
 * @throws {SupportDeskConfigError} when an option is missing or wrong; the message says how to fix it.
 */
export function resolveSettings(options: SupportDeskClientOptions | undefined): Settings {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new SupportDeskConfigError(
      'SupportDeskClient options must be an object, e.g. new SupportDeskClient({ apiKey })',
    );
  }
  const o = options ?? {};
  const { userAgent } = o;
  if (
    userAgent !== undefined &&
    (typeof userAgent !== 'string' || userAgent.length > 256 || !PRODUCT_TOKENS.test(userAgent))
  ) {
    throw new SupportDeskConfigError(
      'userAgent must be printable ASCII product tokens of at most 256 characters, e.g. "my-app/1.2.3"',
    );
  }
  return {
    apiKey: resolveApiKey(o.apiKey),
    baseUrl: resolveBaseUrl(o.baseUrl),
    timeoutMs: integerOption(o.timeoutMs, 'timeoutMs', 10_000, 1, MAX_TIMER_MS),
    maxRetries: integerOption(o.maxRetries, 'maxRetries', 2, 0, MAX_RETRIES),
    fetch: functionOption(o.fetch, 'fetch', globalThis.fetch),
    maxPayloadBytes: integerOption(o.maxPayloadBytes, 'maxPayloadBytes', 32_768, 1, Number.MAX_SAFE_INTEGER),
    retryBaseDelayMs: integerOption(o.retryBaseDelayMs, 'retryBaseDelayMs', 250, 0, MAX_TIMER_MS),
    retryMaxDelayMs: integerOption(o.retryMaxDelayMs, 'retryMaxDelayMs', 5_000, 0, MAX_TIMER_MS),
    maxRetryAfterMs: integerOption(o.maxRetryAfterMs, 'maxRetryAfterMs', 60_000, 0, MAX_TIMER_MS),
    userAgent: `supportdesk-node/${version} (@supportdesk/core; node/${process.version})${userAgent ? ` ${userAgent}` : ''}`,
    sleep: functionOption(o.sleep, 'sleep', abortableSleep),
    now: functionOption(o.now, 'now', Date.now),
  };
}

function resolveApiKey(option: unknown): string {
  const fromEnv = option === undefined;
  const apiKey = fromEnv ? process.env.SUPPORTDESK_API_KEY || undefined : option;
  const source = fromEnv ? 'SUPPORTDESK_API_KEY' : 'apiKey';
  if (apiKey === undefined) {
    throw new SupportDeskConfigError(
      'Missing SupportDesk API key: pass it as the `apiKey` option (new SupportDeskClient({ apiKey })) ' +
        'or set the SUPPORTDESK_API_KEY environment variable.',
    );
  }
  if (typeof apiKey !== 'string')
    throw new SupportDeskConfigError(`apiKey must be a string (got ${typeof apiKey})`);
  // Checked here because fetch quotes a header value it refuses in its error message.
  if (!HEADER_SAFE.test(apiKey)) {
    throw new SupportDeskConfigError(
      `The API key from ${source} is empty or holds whitespace, control or non-ASCII characters; ` +
        'copy it again from your SupportDesk settings.',
    );
  }
  return apiKey;
}

function resolveBaseUrl(option: unknown): string {
  const fromEnv = option === undefined && Boolean(process.env.SUPPORTDESK_BASE_URL);
  const value = option === undefined ? process.env.SUPPORTDESK_BASE_URL || DEFAULT_BASE_URL : option;
  // The value itself stays out of these messages: a mistaken paste may hold a key or a password.
  const source = fromEnv ? 'SUPPORTDESK_BASE_URL' : 'baseUrl';
  const fix = `; e.g. ${DEFAULT_BASE_URL}`;
  if (typeof value !== 'string')
    throw new SupportDeskConfigError(`baseUrl must be a string (got ${typeof value})`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SupportDeskConfigError(`${source} is not an absolute URL${fix}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new SupportDeskConfigError(`${source} must be https://${fix}`);
  if (url.username || url.password)
    throw new SupportDeskConfigError(
      `${source} must not hold credentials; pass the key as the apiKey option`,
    );
  if (url.search || url.hash || value.includes('?') || value.includes('#'))
    throw new SupportDeskConfigError(`${source} must not have a query or fragment${fix}`);
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new SupportDeskConfigError(
      `${source} uses plain http:// for a host that is not loopback, which would send the API key in clear text; ` +
        'use https:// (http:// is allowed for localhost, 127.0.0.0/8 and [::1] only)',
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function isLoopback(hostname: string): boolean {
  // URL parsing has already normalised IPv4 shorthands (127.1) and IPv6 spellings ([0:0::1]).
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

function integerOption(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new SupportDeskConfigError(
      `${name} must be an integer from ${min} to ${max} (got ${String(value)}); the default is ${fallback}`,
    );
  }
  return value;
}

function functionOption<T>(value: unknown, name: string, fallback: T): T {
  if (value === undefined) {
    if (typeof fallback !== 'function')
      throw new SupportDeskConfigError(`No global ${name} here: pass the ${name} option`);
    return fallback;
  }
  if (typeof value !== 'function')
    throw new SupportDeskConfigError(`${name} must be a function (got ${typeof value})`);
  return value as T;
}
