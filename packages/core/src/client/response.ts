/**
 * What SupportDesk's answer to an upsert means: its body read within a cap, a 2xx checked against
 * the upsert shape, and any other status mapped to a typed error whose message is safe to log.
 */
import { Buffer } from 'node:buffer';
import {
  CustomerEmailExistsError,
  SupportDeskApiError,
  SupportDeskAuthError,
  type SupportDeskError,
  SupportDeskErrorCode,
  SupportDeskRateLimitError,
  SupportDeskValidationError,
} from '../errors.js';
import { type CustomerInput, type UpsertResult, upsertResponseSchema } from '../schema.js';
import { isRetryableStatus } from './retry.js';

// A success body is a single customer; an error body only needs its message. Anything larger
// is a misbehaving server or proxy, and reading it whole would let it grow our memory.
/** Largest body of a 2xx answer read, in bytes. */
export const MAX_SUCCESS_BODY_BYTES = 1_048_576;
/** Largest body of an error answer read, in bytes. */
export const MAX_ERROR_BODY_BYTES = 16_384;
const MAX_SERVER_TEXT_CHARS = 300;
const SERVER_CODE = /^[A-Za-z0-9_.-]{1,64}$/;

/** One attempt's end: the upsert result, or the error with any `Retry-After` the server sent. */
export type AttemptOutcome =
  | { result: UpsertResult }
  | { error: SupportDeskError; retryAfterMs?: number | undefined };

/**
 * Reads at most `maxBytes` of the body, cancelling the rest, so neither a huge body nor an
 * unread one holds memory or a socket. `undefined` when the body was over the cap.
 */
export async function readTextCapped(response: Response, maxBytes: number): Promise<string | undefined> {
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

/** The upsert result of a 2xx body, or an `INVALID_RESPONSE` error when the body is not one. */
export function parseSuccess(text: string | undefined, status: number, externalId: string): AttemptOutcome {
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

/** The fields SupportDesk requires to create a customer (an update needs neither). */
const REQUIRED_ON_CREATE = ['email', 'name'] as const;

/** The issue message a 400 carries for each field of {@link missingOnCreate}. */
export const MISSING_ON_CREATE = 'required to create a customer';

/** The fields SupportDesk requires to create a customer that `input` does not have. */
export function missingOnCreate(input: CustomerInput): string[] {
  return REQUIRED_ON_CREATE.filter((field) => input[field] === undefined);
}

/** What {@link errorFromResponse} needs besides the answer itself. */
export interface ErrorContext {
  externalId: string;
  /** From `Retry-After`, when the server sent one. */
  retryAfterMs: number | undefined;
  /** From {@link keyPattern}: keeps the API key out of the message and the code. */
  key: RegExp;
  /** From {@link missingOnCreate}: named in the message of a 400, the likely reason for it. */
  missing: readonly string[];
}

/** The typed error for a non-2xx answer. */
export function errorFromResponse(
  status: number,
  text: string | undefined,
  { externalId, retryAfterMs, key, missing }: ErrorContext,
): SupportDeskError {
  if (isRedirect(status)) {
    // A redirect is configuration (a wrong baseUrl), not a transient fault: never retried, never
    // followed, and its body and Location (which may point anywhere) are not repeated.
    const message = `SupportDesk answered ${status}, a redirect, which is never followed so the API key cannot reach another host: check baseUrl`;
    return new SupportDeskApiError(message, { status, externalId, retryable: false });
  }
  const { code: rawCode, message: rawMessage } = parseErrorBody(text);
  const message = rawMessage === undefined ? undefined : cleanServerText(rawMessage, key);
  const code =
    rawCode !== undefined && SERVER_CODE.test(rawCode) && redactKey(rawCode, key) === rawCode
      ? rawCode
      : undefined;
  const base = { status, externalId, ...(code === undefined ? {} : { code }) };
  const said = message === undefined ? '' : `: ${message}`;
  if (status === 400) {
    if (missing.length === 0)
      return new SupportDeskValidationError(`SupportDesk refused the input (400)${said}`, base);
    const lacks = `creating a customer needs both email and name, and this input has no ${missing.join(' and no ')}`;
    return new SupportDeskValidationError(`SupportDesk refused the input (400)${said}; ${lacks}`, {
      ...base,
      issues: missing.map((path) => ({ path, message: MISSING_ON_CREATE })),
    });
  }
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
  const hint = status === 404 ? ' (check baseUrl)' : '';
  return new SupportDeskApiError(`SupportDesk answered ${status}${said}${hint}`, {
    ...base,
    retryable: isRetryableStatus(status),
  });
}

/** Whether `status` is a redirect (3xx), which the client never follows. */
const isRedirect = (status: number | undefined): boolean =>
  status !== undefined && status >= 300 && status <= 399;

/**
 * Server text made safe for a message: the key redacted (`key` from {@link keyPattern}), control
 * characters dropped, length capped. Every server text that reaches an error goes through here,
 * and so on to its stack, `toJSON`, `util.inspect` and the engine's log lines.
 */
export function cleanServerText(text: string, key: RegExp): string {
  return safeMessageText(redactKey(text, key));
}

const redactKey = (text: string, key: RegExp): string => text.replace(key, '[redacted]');

/** A base64 run shorter than this (a key under 8 bytes) would match ordinary words, so it is not sought. */
const MIN_BASE64_CORE_CHARS = 8;

/**
 * Finds `apiKey` as a server or a proxy may echo it: in any letter case; with any of its
 * characters percent-encoded (either hex case, or encoded twice); or in base64 or base64url,
 * alone or inside a longer base64 value such as a Basic `Authorization` header
 * (`base64('user:' + key)`). Built once per client; never put it where it could be printed.
 */
export function keyPattern(apiKey: string): RegExp {
  const forms = [Array.from(apiKey, literalOrPercentEncoded).join('')];
  const bytes = Buffer.from(apiKey, 'utf8');
  for (let offset = 0; offset < 3; offset++) {
    const core = base64Core(bytes, offset);
    if (core.length >= MIN_BASE64_CORE_CHARS) forms.push(Array.from(core, base64Char).join(''));
  }
  return new RegExp(forms.join('|'), 'gi');
}

const escapeRegExp = (text: string): string => text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

/** One character of the key, as itself or as `%XX` (`%25XX` when encoded twice). */
function literalOrPercentEncoded(char: string): string {
  const code = char.charCodeAt(0);
  if (char.length !== 1 || code > 0x7f) return escapeRegExp(char);
  return `(?:${escapeRegExp(char)}|%(?:25)?${code.toString(16).padStart(2, '0')})`;
}

/** A base64 character, in either alphabet, percent-encoded or not. */
function base64Char(char: string): string {
  if (char === '+') return '(?:\\+|-|%2b)';
  if (char === '/') return '(?:\\/|_|%2f)';
  return char;
}

/**
 * The base64 characters decided by the key's bytes alone when the key starts `offset` bytes into
 * a 3-byte group: any base64 value holding the key at that alignment contains them. The one or
 * two characters at each end also hold bits of the bytes around the key, so they are left out.
 */
function base64Core(bytes: Buffer, offset: number): string {
  const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
  const first = Math.ceil((offset * 8) / 6);
  const end = Math.floor(((offset + bytes.length) * 8) / 6);
  return encoded.slice(first, end);
}

/** `text` on one line without control characters, cut to a length fit for an error message. */
export function safeMessageText(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point (log injection).
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > MAX_SERVER_TEXT_CHARS ? `${flat.slice(0, MAX_SERVER_TEXT_CHARS)}…` : flat;
}
