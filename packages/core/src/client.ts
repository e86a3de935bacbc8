import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import {
  CustomerEmailExistsError,
  SupportDeskApiError,
  SupportDeskAuthError,
  SupportDeskConfigError,
  SupportDeskConnectionError,
  type SupportDeskError,
  SupportDeskErrorCode,
  SupportDeskRateLimitError,
  SupportDeskValidationError,
  type ValidationIssue,
} from './errors.js';
import { abortableSleep, backoffDelayMs, isRetryableStatus, parseRetryAfterMs } from './retry.js';
import {
  type CustomerInput,
  customerInputSchema,
  externalIdProblem,
  type UpsertResult,
  upsertResponseSchema,
} from './schema.js';
import { VERSION } from './version.js';

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

/** Per-call options of {@link SupportDeskClient.upsertCustomer}. */
export interface UpsertOptions {
  /**
   * Aborts the call: the request in flight and any wait before a retry. The call then rejects
   * with {@link SupportDeskConnectionError} code `ABORTED`, and nothing more is sent.
   * @default undefined
   */
  signal?: AbortSignal | undefined;
}

const MAX_TIMER_MS = 2_147_483_647;
const MAX_RETRIES = 10;
// A success body is a single customer; an error body only needs its message. Anything larger
// is a misbehaving server or proxy, and reading it whole would let it grow our memory.
const MAX_SUCCESS_BODY_BYTES = 1_048_576;
const MAX_ERROR_BODY_BYTES = 16_384;
const MAX_SERVER_TEXT_CHARS = 300;
const HEADER_SAFE = /^[\x21-\x7e]+$/;
const PRODUCT_TOKENS = /^[\x21-\x7e]+(?: [\x21-\x7e]+)*$/;
const SERVER_CODE = /^[A-Za-z0-9_.-]{1,64}$/;

/** Options after defaults: every field present; `userAgent` is the full header value. */
type Settings = { [K in keyof SupportDeskClientOptions]-?: NonNullable<SupportDeskClientOptions[K]> };

type AttemptOutcome =
  | { result: UpsertResult }
  | { error: SupportDeskError; retryAfterMs?: number | undefined };

/**
 * The SupportDesk customers API: one idempotent upsert by your own user id, with validation
 * before sending, typed errors and retries. Safe to share across requests.
 *
 * @example
 * const client = new SupportDeskClient({ apiKey: process.env.SUPPORTDESK_API_KEY });
 * const { customer, wasCreated } = await client.upsertCustomer('user_42', {
 *   email: 'john@acme.com',
 *   name: 'John Doe',
 *   metadata: { plan: 'premium' },
 * });
 */
export class SupportDeskClient {
  /** The API root requests go to, normalised (no trailing slash). */
  readonly baseUrl: string;
  /**
   * A short stable name for this account (16 hex chars of a SHA-256 over baseUrl and key): lets a
   * shared cache keep accounts apart without ever holding the key.
   */
  readonly namespace: string;
  // A true private field: util.inspect, JSON.stringify and property enumeration never see it.
  readonly #apiKey: string;
  readonly #settings: Omit<Settings, 'apiKey'>;

  /** @throws {SupportDeskConfigError} when an option is missing or wrong; the message says how to fix it. */
  constructor(options?: SupportDeskClientOptions) {
    const { apiKey, ...settings } = resolveSettings(options);
    this.#apiKey = apiKey;
    this.#settings = settings;
    this.baseUrl = settings.baseUrl;
    this.namespace = createHash('sha256').update(`${settings.baseUrl}\n${apiKey}`).digest('hex').slice(0, 16);
  }

  /**
   * Creates the customer `externalId`, or updates the fields given. Nothing is sent when the id
   * or the input is invalid. Retries what may succeed on a second try, then rejects with a
   * subclass of `SupportDeskError`.
   *
   * @param externalId your id for the user; any string of 1 to 255 characters but `.` and `..`.
   * @param input the fields to set; `email` and `name` are required when the customer is new.
   */
  async upsertCustomer(
    externalId: string,
    input: CustomerInput,
    options?: UpsertOptions,
  ): Promise<UpsertResult> {
    const signal = readSignal(options);
    const url = `${this.baseUrl}/customers/${encodeExternalId(externalId)}`;
    const body = this.#serialize(externalId, input);
    const { maxRetries, retryBaseDelayMs, retryMaxDelayMs, maxRetryAfterMs, sleep } = this.#settings;
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw abortedError(externalId, signal.reason);
      const outcome = await this.#attempt(url, body, externalId, signal);
      if ('result' in outcome) return outcome.result;
      const { error, retryAfterMs } = outcome;
      const waitTooLong = retryAfterMs !== undefined && retryAfterMs > maxRetryAfterMs;
      if (!error.retryable || attempt >= maxRetries || waitTooLong) throw error;
      try {
        await sleep(retryAfterMs ?? backoffDelayMs(attempt, retryBaseDelayMs, retryMaxDelayMs), signal);
      } catch (cause) {
        if (signal?.aborted) throw abortedError(externalId, signal.reason);
        throw new SupportDeskConnectionError('The wait before retrying failed', { cause, externalId });
      }
    }
  }

  #serialize(externalId: string, input: CustomerInput): string {
    const parsed = customerInputSchema.safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({
        path: issue.path.join('.'),
        message: issue.message,
      }));
      throw invalidInput(externalId, issues);
    }
    let body: string;
    try {
      // The caller's own object, not zod's copy: zod drops keys such as `__proto__`, which are data here.
      body = JSON.stringify(input);
    } catch (cause) {
      throw invalidInput(externalId, [
        { path: '', message: `input cannot be serialised as JSON (${describe(cause)})` },
      ]);
    }
    const bytes = Buffer.byteLength(body);
    if (bytes > this.#settings.maxPayloadBytes) {
      const message = `the JSON body is ${bytes} bytes, over maxPayloadBytes (${this.#settings.maxPayloadBytes})`;
      throw invalidInput(externalId, [{ path: '', message }]);
    }
    return body;
  }

  async #attempt(
    url: string,
    body: string,
    externalId: string,
    signal: AbortSignal | undefined,
  ): Promise<AttemptOutcome> {
    const { timeoutMs, now } = this.#settings;
    // One controller per attempt, fed by our timer and the caller's signal; both are removed in
    // `finally`, so a finished attempt leaves no timer or listener behind.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException(`No answer within ${timeoutMs} ms`, 'TimeoutError'));
    }, timeoutMs);
    timer.unref();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const { fetch } = this.#settings;
      const response = await fetch(url, {
        method: 'PATCH',
        headers: this.#headers(),
        body,
        redirect: 'error',
        signal: controller.signal,
      });
      const ok = response.status >= 200 && response.status <= 299;
      const text = await readTextCapped(response, ok ? MAX_SUCCESS_BODY_BYTES : MAX_ERROR_BODY_BYTES);
      if (ok) return parseSuccess(text, response.status, externalId);
      const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'), now());
      return {
        error: this.#errorFromResponse(response.status, text, externalId, retryAfterMs),
        retryAfterMs,
      };
    } catch (cause) {
      if (signal?.aborted) return { error: abortedError(externalId, signal.reason) };
      return { error: this.#connectionError(cause, timedOut, externalId) };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  #headers(): Record<string, string> {
    return {
      'X-API-Key': this.#apiKey,
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'User-Agent': this.#settings.userAgent,
    };
  }

  #errorFromResponse(
    status: number,
    text: string | undefined,
    externalId: string,
    retryAfterMs: number | undefined,
  ): SupportDeskError {
    const { code: rawCode, message: rawMessage } = parseErrorBody(text);
    const message = rawMessage === undefined ? undefined : this.#clean(rawMessage);
    const code =
      rawCode !== undefined && SERVER_CODE.test(rawCode) && !rawCode.includes(this.#apiKey)
        ? rawCode
        : undefined;
    const base = { status, externalId, ...(code === undefined ? {} : { code }) };
    const said = message === undefined ? '' : `: ${message}`;
    if (status === 400)
      return new SupportDeskValidationError(`SupportDesk refused the input (400)${said}`, base);
    if (status === 409)
      return new CustomerEmailExistsError(`Another customer already has this email (409)${said}`, base);
    if (status === 401 || status === 403) {
      const hint = ' (check the apiKey option or SUPPORTDESK_API_KEY)';
      return new SupportDeskAuthError(`SupportDesk refused the API key (${status})${said}${hint}`, base);
    }
    if (status === 429) {
      const wait = retryAfterMs === undefined ? '' : `; retry after ${retryAfterMs} ms`;
      return new SupportDeskRateLimitError(`SupportDesk is rate limiting requests (429)${said}${wait}`, {
        ...base,
        retryAfterMs,
      });
    }
    const hint =
      status === 404
        ? ' (check baseUrl)'
        : status >= 300 && status <= 399
          ? ' (redirects are not followed)'
          : '';
    return new SupportDeskApiError(`SupportDesk answered ${status}${said}${hint}`, {
      ...base,
      retryable: isRetryableStatus(status),
    });
  }

  #connectionError(cause: unknown, timedOut: boolean, externalId: string): SupportDeskError {
    if (timedOut) {
      return new SupportDeskConnectionError(
        `SupportDesk did not answer within ${this.#settings.timeoutMs} ms`,
        {
          code: SupportDeskErrorCode.TIMEOUT,
          cause,
          externalId,
        },
      );
    }
    const chain = causeChain(cause);
    if (chain.some((error) => error.message === 'unexpected redirect')) {
      // A redirect is configuration (a wrong baseUrl), not a transient fault: never retried, never followed.
      return new SupportDeskApiError(
        'SupportDesk answered with a redirect, which is never followed so the API key cannot reach another host (check baseUrl)',
        { cause, externalId, retryable: false },
      );
    }
    const detail = chain.at(-1);
    const reason = detail === undefined ? describe(cause) : this.#clean(detail.message);
    return new SupportDeskConnectionError(
      `Could not reach SupportDesk at ${new URL(this.baseUrl).host}: ${reason}`,
      {
        cause,
        externalId,
      },
    );
  }

  /** Server text made safe for a message: the key redacted, control characters dropped, length capped. */
  #clean(text: string): string {
    return safeMessageText(text.split(this.#apiKey).join('[redacted]'));
  }
}

function resolveSettings(options: SupportDeskClientOptions | undefined): Settings {
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
    userAgent: `supportdesk-node/${VERSION} (@supportdesk/core; node/${process.version})${userAgent ? ` ${userAgent}` : ''}`,
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

function readSignal(options: UpsertOptions | undefined): AbortSignal | undefined {
  const signal: unknown = options?.signal;
  // Duck-typed, so a signal from another realm or an AbortController polyfill still works.
  if (signal === undefined) return undefined;
  if (typeof signal === 'object' && signal !== null && 'aborted' in signal && 'addEventListener' in signal) {
    return signal as AbortSignal;
  }
  throw new SupportDeskValidationError('options.signal must be an AbortSignal', {
    issues: [{ path: 'options.signal', message: 'must be an AbortSignal' }],
  });
}

function encodeExternalId(externalId: string): string {
  const problem = externalIdProblem(externalId);
  if (problem !== undefined) throw invalidInput(externalId, [{ path: 'externalId', message: problem }]);
  try {
    return encodeURIComponent(externalId);
  } catch {
    const message = 'externalId must be well-formed Unicode (it holds a lone surrogate)';
    throw invalidInput(externalId, [{ path: 'externalId', message }]);
  }
}

function invalidInput(externalId: unknown, issues: ValidationIssue[]): SupportDeskValidationError {
  const summary = issues.map((issue) => issue.message).join('; ');
  return new SupportDeskValidationError(`Invalid customer upsert: ${safeMessageText(summary)}`, {
    issues,
    externalId: typeof externalId === 'string' ? externalId : undefined,
  });
}

function abortedError(externalId: string, cause: unknown): SupportDeskConnectionError {
  return new SupportDeskConnectionError('The upsert was aborted by the caller', {
    code: SupportDeskErrorCode.ABORTED,
    retryable: false,
    cause,
    externalId,
  });
}

/**
 * Reads at most `maxBytes` of the body, cancelling the rest, so neither a huge body nor an
 * unread one holds memory or a socket. `undefined` when the body was over the cap.
 */
async function readTextCapped(response: Response, maxBytes: number): Promise<string | undefined> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks).toString('utf8');
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
}

function parseSuccess(text: string | undefined, status: number, externalId: string): AttemptOutcome {
  const json = text === undefined ? undefined : parseJson(text);
  if (upsertResponseSchema.safeParse(json).success) {
    // The checked JSON itself, not zod's copy, which would drop metadata keys such as `__proto__`.
    const { customer, wasCreated } = (json as { data: UpsertResult }).data;
    return { result: { customer, wasCreated } };
  }
  const message = `SupportDesk answered ${status} with a body that is not an upsert result`;
  const error = new SupportDeskApiError(message, {
    status,
    code: SupportDeskErrorCode.INVALID_RESPONSE,
    externalId,
  });
  return { error };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The code and message of an error body, in any shape seen in the wild: the documented
 * `{ error: { code, message } }`, `{ code, message }`, `{ error: 'text' }`, `{ message }`.
 * HTML, empty or truncated bodies give nothing, and the caller falls back to the status.
 */
function parseErrorBody(text: string | undefined): {
  code?: string | undefined;
  message?: string | undefined;
} {
  const json = text === undefined ? undefined : parseJson(text);
  if (typeof json !== 'object' || json === null) return {};
  const body = json as Record<string, unknown>;
  const nested =
    typeof body.error === 'object' && body.error !== null ? (body.error as Record<string, unknown>) : {};
  const pick = (...values: unknown[]) =>
    values.find((value): value is string => typeof value === 'string' && value !== '');
  return { code: pick(nested.code, body.code), message: pick(nested.message, body.error, body.message) };
}

function safeMessageText(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point (log injection).
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > MAX_SERVER_TEXT_CHARS ? `${flat.slice(0, MAX_SERVER_TEXT_CHARS)}…` : flat;
}

/** `error`, then its `cause`, and so on (bounded: a cause chain may loop). */
function causeChain(error: unknown): Error[] {
  const chain: Error[] = [];
  for (let current = error; current instanceof Error && chain.length < 8; current = current.cause) {
    chain.push(current);
  }
  return chain;
}

function describe(value: unknown): string {
  return value instanceof Error ? value.message : String(value);
}
