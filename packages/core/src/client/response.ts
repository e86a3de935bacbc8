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
import { type UpsertResult, upsertResponseSchema } from '../schema.js';
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

/**
 * The typed error for a non-2xx answer. `apiKey` is only used to keep the key out of the message
 * and the code, should the server echo it.
 */
export function errorFromResponse(
  status: number,
  text: string | undefined,
  externalId: string,
  retryAfterMs: number | undefined,
  apiKey: string,
): SupportDeskError {
  const { code: rawCode, message: rawMessage } = parseErrorBody(text);
  const message = rawMessage === undefined ? undefined : cleanServerText(rawMessage, apiKey);
  const code =
    rawCode !== undefined && SERVER_CODE.test(rawCode) && !rawCode.includes(apiKey) ? rawCode : undefined;
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

/** Server text made safe for a message: the key redacted, control characters dropped, length capped. */
export function cleanServerText(text: string, apiKey: string): string {
  return safeMessageText(text.split(apiKey).join('[redacted]'));
}

/** `text` on one line without control characters, cut to a length fit for an error message. */
export function safeMessageText(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point (log injection).
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > MAX_SERVER_TEXT_CHARS ? `${flat.slice(0, MAX_SERVER_TEXT_CHARS)}…` : flat;
}
