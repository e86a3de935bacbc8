/**
 * What a client may be given and what it runs with: the options, their defaults, and the checks
 * that turn a wrong one into a SupportDeskConfigError when the client is made, never mid-request.
 */

import { z } from 'zod';
import { version } from '../../package.json';
import { configObject, func, integer, milliseconds, parseConfig } from '../config.js';
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

/** The documented defaults of {@link SupportDeskClientOptions} that are plain values. */
export const CLIENT_DEFAULTS = {
  timeoutMs: 10_000,
  maxRetries: 2,
  maxPayloadBytes: 32_768,
  retryBaseDelayMs: 250,
  retryMaxDelayMs: 5_000,
  maxRetryAfterMs: 60_000,
} as const;

const MAX_RETRIES = 10;
const HEADER_SAFE = /^[\x21-\x7e]+$/;
const PRODUCT_TOKENS = /^[\x21-\x7e]+(?: [\x21-\x7e]+)*$/;

/** Options after defaults: every field present; `userAgent` is the full header value. */
export type Settings = { [K in keyof SupportDeskClientOptions]-?: NonNullable<SupportDeskClientOptions[K]> };

const userAgentSchema = z.custom<string>(
  (value) => typeof value === 'string' && value.length <= 256 && PRODUCT_TOKENS.test(value),
  {
    error: 'userAgent must be printable ASCII product tokens of at most 256 characters, e.g. "my-app/1.2.3"',
  },
);

const settingsSchema = configObject(
  {
    // The key and the URL are read with their environment variables below, where the message
    // can say which of the two a bad value came from.
    apiKey: z.unknown().optional(),
    baseUrl: z.unknown().optional(),
    timeoutMs: milliseconds('timeoutMs', 1, CLIENT_DEFAULTS.timeoutMs),
    maxRetries: integer('maxRetries', { min: 0, max: MAX_RETRIES, fallback: CLIENT_DEFAULTS.maxRetries }),
    fetch: func<Settings['fetch']>('fetch').optional(),
    maxPayloadBytes: integer('maxPayloadBytes', {
      min: 1,
      max: Number.MAX_SAFE_INTEGER - 1,
      fallback: CLIENT_DEFAULTS.maxPayloadBytes,
    }),
    retryBaseDelayMs: milliseconds('retryBaseDelayMs', 0, CLIENT_DEFAULTS.retryBaseDelayMs),
    retryMaxDelayMs: milliseconds('retryMaxDelayMs', 0, CLIENT_DEFAULTS.retryMaxDelayMs),
    maxRetryAfterMs: milliseconds('maxRetryAfterMs', 0, CLIENT_DEFAULTS.maxRetryAfterMs),
    userAgent: userAgentSchema.optional(),
    sleep: func<Settings['sleep']>('sleep').optional(),
    now: func<Settings['now']>('now').optional(),
  },
  'SupportDeskClientOptions',
).transform((given, ctx): Settings => {
  const fail = (message: string) => {
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
  const fetch = given.fetch ?? (globalThis.fetch as Settings['fetch'] | undefined);
  if (typeof fetch !== 'function') return fail('there is no global fetch here: pass the fetch option');
  const apiKey = readApiKey(given.apiKey);
  if (apiKey.problem !== undefined) return fail(apiKey.problem);
  const baseUrl = readBaseUrl(given.baseUrl);
  if (baseUrl.problem !== undefined) return fail(baseUrl.problem);
  const extra = given.userAgent ? ` ${given.userAgent}` : '';
  return {
    ...given,
    apiKey: apiKey.value,
    baseUrl: baseUrl.value,
    fetch,
    userAgent: `supportdesk-node/${version} (@supportdesk/core; node/${process.version})${extra}`,
    sleep: given.sleep ?? abortableSleep,
    now: given.now ?? Date.now,
  };
});

/**
 * Applies the defaults (environment variables included) to `options` and checks every field.
 * @param caller what the user called, named in the error: `new SupportDeskClient`, `syncCustomers`, …
 * @throws {SupportDeskConfigError} when an option is missing or wrong; the message says how to fix it.
 */
export function resolveSettings(
  options: SupportDeskClientOptions | undefined,
  caller = 'new SupportDeskClient',
): Settings {
  return parseConfig(caller, settingsSchema, options, CLIENT_DEFAULTS);
}

type Read = { value: string; problem?: undefined } | { value?: undefined; problem: string };

function readApiKey(option: unknown): Read {
  const fromEnv = option === undefined;
  const apiKey = fromEnv ? process.env.SUPPORTDESK_API_KEY || undefined : option;
  const source = fromEnv ? 'SUPPORTDESK_API_KEY' : 'apiKey';
  if (apiKey === undefined)
    return {
      problem:
        'missing SupportDesk API key: pass it as the apiKey option or set the SUPPORTDESK_API_KEY environment variable ' +
        '(for local development, run the emulator: npx supportdesk-emulator, and set SUPPORTDESK_BASE_URL to its URL)',
    };
  if (typeof apiKey !== 'string') return { problem: `apiKey must be a string (got ${typeof apiKey})` };
  // Checked here because fetch quotes a header value it refuses in its error message.
  if (!HEADER_SAFE.test(apiKey))
    return {
      problem:
        `the API key from ${source} is empty or holds whitespace, control or non-ASCII characters; ` +
        'copy it again from your SupportDesk settings',
    };
  return { value: apiKey };
}

function readBaseUrl(option: unknown): Read {
  const fromEnv = option === undefined && Boolean(process.env.SUPPORTDESK_BASE_URL);
  const value = option === undefined ? process.env.SUPPORTDESK_BASE_URL || DEFAULT_BASE_URL : option;
  // The value itself stays out of these messages: a mistaken paste may hold a key or a password.
  const source = fromEnv ? 'SUPPORTDESK_BASE_URL' : 'baseUrl';
  const fix = `; e.g. ${DEFAULT_BASE_URL}`;
  if (typeof value !== 'string') return { problem: `baseUrl must be a string (got ${typeof value})` };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: `${source} is not an absolute URL${fix}` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { problem: `${source} must be https://${fix}` };
  if (url.username || url.password)
    return { problem: `${source} must not hold credentials; pass the key as the apiKey option` };
  if (url.search || url.hash || value.includes('?') || value.includes('#'))
    return { problem: `${source} must not have a query or fragment${fix}` };
  if (url.protocol === 'http:' && !isLoopback(url.hostname))
    return {
      problem:
        `${source} uses plain http:// for a host that is not loopback, which would send the API key in clear text; ` +
        'use https:// (http:// is allowed for localhost, 127.0.0.0/8 and [::1] only)',
    };
  return { value: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
}

function isLoopback(hostname: string): boolean {
  // URL parsing has already normalised IPv4 shorthands (127.1) and IPv6 spellings ([0:0::1]).
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}
