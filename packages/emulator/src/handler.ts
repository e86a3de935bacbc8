import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './body.js';
import type { CustomerBook } from './customers.js';
import { codeForStatus, errorEnvelope, isBodyless, sendError, sendJson } from './envelope.js';
import type { FaultList } from './faults.js';
import type { RequestRecorder } from './recorder.js';
import { headersOf, recordedBody } from './recorder.js';
import { matchRoute } from './route.js';
import type { Fault, RecordedRequest } from './types.js';
import { validateCustomerBody } from './validate.js';

/** What a request handler works with. */
export interface HandlerContext {
  customers: CustomerBook;
  faults: FaultList;
  recorder: RequestRecorder;
  apiKeys: ReadonlySet<string> | undefined;
  requestTimeoutMs: number;
  /** Wait `ms`, resolving `false` when the client left or the emulator closed meanwhile. */
  delay(ms: number, res: ServerResponse): Promise<boolean>;
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

/** Handle one request: record it, apply a matching fault, else answer as SupportDesk would. */
export async function handleRequest(
  ctx: HandlerContext,
  req: IncomingMessage,
  res: ServerResponse,
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
  ctx.recorder.record(record);
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

  const fault = ctx.faults.take(externalId);
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
  const outcome = ctx.customers.upsert(apiKey, route.externalId, validation.fields);
  if (!outcome.ok) return sendError(res, outcome.status, outcome.code, outcome.message);
  sendJson(res, 200, {
    success: true,
    data: { customer: outcome.customer, wasCreated: outcome.wasCreated },
    timestamp: new Date().toISOString(),
  });
}
