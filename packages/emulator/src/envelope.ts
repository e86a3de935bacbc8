import { type ServerResponse, STATUS_CODES } from 'node:http';

/** Codes the emulator answers with, beyond the two business codes of the upstream page. */
const CODE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  408: 'REQUEST_TIMEOUT',
  409: 'CUSTOMER_EMAIL_EXISTS',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  500: 'INTERNAL_ERROR',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

/** A business code fitting `status`, derived from the status text when there is no fixed one. */
export function codeForStatus(status: number): string {
  const known = CODE_BY_STATUS[status];
  if (known) return known;
  const text = STATUS_CODES[status];
  if (text)
    return text
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, '_')
      .replace(/^_|_$/g, '');
  return status >= 500 ? 'INTERNAL_ERROR' : 'ERROR';
}

/** The error envelope, as far as the upstream page lets us guess it. */
export function errorEnvelope(code: string, message: string): object {
  return { success: false, error: { code, message }, timestamp: new Date().toISOString() };
}

/** Statuses that must not carry a body. */
export function isBodyless(status: number): boolean {
  return status === 204 || status === 304 || (status >= 100 && status < 200);
}

/** Send `body` as JSON (or nothing for a bodyless status) with any extra headers. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (isBodyless(status)) {
    res.writeHead(status, headers).end();
    return;
  }
  const text = JSON.stringify(body);
  res
    .writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      ...headers,
      'content-length': Buffer.byteLength(text),
    })
    .end(text);
}

/** Send the error envelope with `code` and `message`. */
export function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, errorEnvelope(code, message), headers);
}
