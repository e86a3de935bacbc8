import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './body.js';
import { codeForStatus, errorEnvelope, isBodyless, sendError, sendJson } from './envelope.js';
import { headersOf, type LogEntry, recordedBody } from './recorder.js';
import { matchRoute } from './route.js';
import type { EmulatorState } from './state.js';
import type { Fault, RecordedRequest } from './types.js';
import { validateCustomerBody } from './validate.js';

/** What a request handler works with. */
export interface HandlerContext {
  state: EmulatorState;
  apiKeys: ReadonlySet<string> | undefined;
  requestTimeoutMs: number;
  /** Wait `ms`, resolving `false` when the client left or the emulator closed meanwhile. */
  delay(ms: number, res: ServerResponse): Promise<boolean>;
  /** A monotonic clock in milliseconds, for the rate limiter. */
  now(): number;
}

/** One request's way through the emulator, read once it has been answered. */
export interface Exchange {
  /** Set once the request is logged: the request's body was read, or given up on. */
  entry?: LogEntry;
}

type Parsed = { json: true; value: unknown } | { json: false; text: string | undefined };

function parse(text: string | undefined): Parsed {
  if (text === undefined || text.length === 0) return { json: false, text: undefined };
  try {
    return { json: true, value: JSON.parse(text) };
  } catch {
    return { json: false, text };
  }
}

function isJsonMediaType(contentType: string | undefined): boolean {
  const type = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

function sendFault(res: ServerResponse, fault: Readonly<Fault> & { status: number }): void {
  const headers: Record<string, string> = { ...fault.headers };
  if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
  if (typeof fault.body === 'string' && !isBodyless(fault.status)) {
    res
      .writeHead(fault.status, {
        'content-type': 'text/html; charset=utf-8',
        ...headers,
        'content-length': Buffer.byteLength(fault.body),
      })
      .end(fault.body);
    return;
  }
  const body =
    fault.body ?? errorEnvelope(codeForStatus(fault.status), `Injected fault: HTTP ${fault.status}`);
  sendJson(res, fault.status, body, headers);
}

/**
 * Handle one request: record it, apply the rate limit, then a matching fault, else answer as
 * SupportDesk would.
 */
export async function handleRequest(
  ctx: HandlerContext,
  req: IncomingMessage,
  res: ServerResponse,
  exchange: Exchange,
): Promise<void> {
  const receivedAt = new Date().toISOString();
  const method = req.method ?? 'GET';
  const target = req.url ?? '/';
  const route = matchRoute(target);
  const externalId = route.kind === 'customer' ? route.externalId : undefined;
  const read = await readBody(req, ctx.requestTimeoutMs);
  if (read.kind === 'aborted') return;
  const parsed = parse(read.kind === 'complete' ? read.text : undefined);
  const apiKey = req.headers['x-api-key'];
  const record: RecordedRequest = {
    method,
    path: target,
    headers: headersOf(req),
    ...recordedBody(
      read.kind === 'complete' ? read.text : undefined,
      parsed.json ? parsed.value : parsed.text,
      read.kind === 'too-large',
    ),
    receivedAt,
  };
  if (externalId !== undefined) record.externalId = externalId;
  if (typeof apiKey === 'string') record.apiKey = apiKey;
  const entry = ctx.state.recorder.record(record);
  exchange.entry = entry;
  if (read.kind === 'timeout') {
    // The rest of the body may never come: answer, then close instead of waiting for it.
    res.once('finish', () => req.socket.destroy());
    return sendError(
      res,
      408,
      'REQUEST_TIMEOUT',
      `The request body did not arrive within ${ctx.requestTimeoutMs} ms`,
      { connection: 'close' },
    );
  }

  if (typeof apiKey === 'string' && apiKey.length > 0 && ctx.state.limiter) {
    const grant = ctx.state.limiter.take(apiKey, ctx.now());
    if (!grant.ok) {
      entry.rateLimited = true;
      const { perSecond, burst } = ctx.state.limiter.limit;
      return sendError(
        res,
        429,
        'RATE_LIMITED',
        `Rate limit exceeded (${perSecond} request${perSecond === 1 ? '' : 's'} per second, bursts of ${burst}); retry in ${grant.retryAfterSeconds} s`,
        { 'retry-after': String(grant.retryAfterSeconds) },
      );
    }
  }
  const fault = ctx.state.faults.take(externalId);
  if (fault) entry.fault = fault;
  if (fault?.latencyMs && !(await ctx.delay(fault.latencyMs, res))) return;
  if (fault?.drop) {
    res.destroy();
    return;
  }
  if (fault?.status !== undefined) {
    sendFault(res, { ...fault, status: fault.status });
    return;
  }

  if (route.kind === 'not-found')
    return sendError(res, 404, 'NOT_FOUND', `No route for ${method} ${target.split('?')[0]}`);
  if (method !== 'PATCH')
    return sendError(res, 405, 'METHOD_NOT_ALLOWED', `${method} is not allowed here; use PATCH`, {
      allow: 'PATCH',
    });
  if (typeof apiKey !== 'string' || apiKey.length === 0)
    return sendError(res, 401, 'UNAUTHORIZED', 'Missing X-API-Key header');
  if (ctx.apiKeys && !ctx.apiKeys.has(apiKey)) return sendError(res, 401, 'UNAUTHORIZED', 'Invalid API key');
  if (route.kind === 'bad-external-id') return sendError(res, 400, 'VALIDATION_ERROR', route.message);
  if (read.kind === 'too-large')
    return sendError(res, 413, 'PAYLOAD_TOO_LARGE', 'Request body is larger than 1 MB', {
      connection: 'close',
    });
  if (read.text.length === 0)
    return sendError(res, 400, 'VALIDATION_ERROR', 'Request body must be a JSON object');
  if (!isJsonMediaType(req.headers['content-type']))
    return sendError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json');
  if (!parsed.json) return sendError(res, 400, 'INVALID_JSON', 'Request body is not valid JSON');

  const validation = validateCustomerBody(parsed.value);
  if (!validation.ok) return sendError(res, 400, 'VALIDATION_ERROR', validation.message);
  const outcome = ctx.state.customers.upsert(apiKey, route.externalId, validation.fields);
  if (!outcome.ok) return sendError(res, outcome.status, outcome.code, outcome.message);
  sendJson(res, 200, {
    success: true,
    data: { customer: outcome.customer, wasCreated: outcome.wasCreated },
    timestamp: new Date().toISOString(),
  });
}
