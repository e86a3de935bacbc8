import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { callerName } from '../config.js';
import {
  SupportDeskConnectionError,
  type SupportDeskError,
  SupportDeskErrorCode,
  SupportDeskRateLimitError,
  SupportDeskValidationError,
  type ValidationIssue,
} from '../errors.js';
import { type CustomerInput, customerInputSchema, externalIdProblem, type UpsertResult } from '../schema.js';
import { resolveSettings, type Settings, type SupportDeskClientOptions } from './options.js';
import {
  type AttemptOutcome,
  cleanServerText,
  errorFromResponse,
  keyPattern,
  MAX_ERROR_BODY_BYTES,
  MAX_SUCCESS_BODY_BYTES,
  missingOnCreate,
  parseSuccess,
  readTextCapped,
  safeMessageText,
} from './response.js';
import { backoffDelayMs, parseRetryAfterMs } from './retry.js';

/** Per-call options of {@link SupportDeskClient.upsertCustomer}. */
export interface UpsertOptions {
  /**
   * Aborts the call: the request in flight and any wait before a retry. The call then rejects
   * with {@link SupportDeskConnectionError} code `ABORTED`, and nothing more is sent.
   * @default undefined
   */
  signal?: AbortSignal | undefined;
  /**
   * What a 429 does. `'wait'` waits out a `Retry-After` of up to `maxRetryAfterMs` inside the
   * call and retries; `'reject'` rejects at once with {@link SupportDeskRateLimitError}
   * (`retryAfterMs`), so a caller that sends many upserts can pause all of them instead of one:
   * `CustomerSync` and `importCustomers` do.
   * @default 'wait'
   */
  rateLimit?: 'wait' | 'reject' | undefined;
}

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
  /** Finds the key in any form a server may echo it, to redact it from error messages. */
  readonly #keyPattern: RegExp;
  readonly #settings: Omit<Settings, 'apiKey'>;

  /** @throws {SupportDeskConfigError} when an option is missing or wrong; the message says how to fix it. */
  constructor(options?: SupportDeskClientOptions) {
    const { apiKey, ...settings } = resolveSettings(options, callerName(options, 'new SupportDeskClient'));
    this.#apiKey = apiKey;
    this.#keyPattern = keyPattern(apiKey);
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
    const rejectRateLimit = options?.rateLimit === 'reject';
    const url = `${this.baseUrl}/customers/${encodeExternalId(externalId)}`;
    const body = this.#serialize(externalId, input);
    const missing = missingOnCreate(input);
    const { maxRetries, retryBaseDelayMs, retryMaxDelayMs, maxRetryAfterMs, sleep } = this.#settings;
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw abortedError(externalId, signal.reason);
      const outcome = await this.#attempt(url, body, externalId, missing, signal);
      if ('result' in outcome) return outcome.result;
      const { error, retryAfterMs } = outcome;
      const waitTooLong = retryAfterMs !== undefined && retryAfterMs > maxRetryAfterMs;
      const rateLimited = rejectRateLimit && error instanceof SupportDeskRateLimitError;
      if (!error.retryable || attempt >= maxRetries || waitTooLong || rateLimited) throw error;
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
    missing: readonly string[],
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
        // 'manual': the 3xx itself comes back (its status is known) and its Location is never followed.
        redirect: 'manual',
        signal: controller.signal,
      });
      const ok = response.status >= 200 && response.status <= 299;
      const text = await readTextCapped(response, ok ? MAX_SUCCESS_BODY_BYTES : MAX_ERROR_BODY_BYTES);
      if (ok) return parseSuccess(text, response.status, externalId);
      const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'), now());
      return {
        error: errorFromResponse(response.status, text, {
          externalId,
          retryAfterMs,
          key: this.#keyPattern,
          missing,
        }),
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
    const detail = causeChain(cause).at(-1);
    const reason = detail === undefined ? describe(cause) : cleanServerText(detail.message, this.#keyPattern);
    return new SupportDeskConnectionError(
      `Could not reach SupportDesk at ${new URL(this.baseUrl).host}: ${reason}`,
      {
        cause,
        externalId,
      },
    );
  }
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
