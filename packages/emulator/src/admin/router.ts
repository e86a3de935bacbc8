import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../body.js';
import { ASSETS_PREFIX, type Dashboard } from '../dashboard.js';
import { sendError, sendJson } from '../envelope.js';
import type { EmulatorState } from '../state.js';
import { refusal } from './guard.js';
import { type Parsed, parseFault, parseRateLimit } from './input.js';
import { parseSnapshot, snapshotOf } from './snapshot.js';
import { listedCustomer, loggedRequest } from './views.js';

/** URL path under which the admin API lives. */
export const ADMIN_PREFIX = '/__emulator/';

/** Largest admin body: a snapshot of a large import fits. */
const MAX_ADMIN_BODY_BYTES = 64 * 1024 * 1024;

/** What the admin routes work with. */
export interface AdminContext {
  state: EmulatorState;
  dashboard: Dashboard;
  /** Listening on loopback only: then the Host header must be a loopback name too. */
  loopbackOnly: boolean;
  requestTimeoutMs: number;
}

/** Whether a request belongs to the dashboard or the admin API rather than to the emulated API. */
export function isAdminRequest(method: string, target: string): boolean {
  if (target.startsWith(ADMIN_PREFIX)) return true;
  const isRoot = target === '/' || target.startsWith('/?');
  return isRoot && (method === 'GET' || method === 'HEAD');
}

type Route = (
  ctx: AdminContext,
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
) => unknown;

/** Read a JSON body and check it with `parse`; on any problem answer it and resolve `undefined`. */
async function jsonBody<T>(
  ctx: AdminContext,
  req: IncomingMessage,
  res: ServerResponse,
  parse: (value: unknown) => Parsed<T>,
): Promise<T | undefined> {
  const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  const read = await readBody(req, ctx.requestTimeoutMs, MAX_ADMIN_BODY_BYTES);
  if (read.kind === 'aborted') return undefined;
  if (read.kind === 'timeout') {
    sendError(res, 408, 'REQUEST_TIMEOUT', 'The request body did not arrive in time', {
      connection: 'close',
    });
    return undefined;
  }
  if (read.kind === 'too-large') {
    sendError(res, 413, 'PAYLOAD_TOO_LARGE', 'Request body is larger than 64 MB', { connection: 'close' });
    return undefined;
  }
  // JSON only: a page on another site cannot send it without a preflight, which nothing answers.
  if (type !== 'application/json') {
    sendError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json');
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(read.text);
  } catch {
    sendError(res, 400, 'INVALID_JSON', 'Request body is not valid JSON');
    return undefined;
  }
  const parsed = parse(value);
  if (!parsed.ok) {
    sendError(res, 400, 'VALIDATION_ERROR', parsed.message);
    return undefined;
  }
  return parsed.value;
}

function searchText(customer: object): string {
  return JSON.stringify(customer).toLowerCase();
}

const routes: Record<string, Partial<Record<string, Route>>> = {
  customers: {
    GET(ctx, _req, res, query) {
      const search = query.get('q')?.trim().toLowerCase() ?? '';
      const limitParam = query.get('limit');
      const limit = limitParam === null ? Number.POSITIVE_INFINITY : Number(limitParam);
      if (!(Number.isInteger(limit) || limit === Number.POSITIVE_INFINITY) || limit < 0)
        return sendError(res, 400, 'VALIDATION_ERROR', 'limit must be an integer >= 0');
      const matches = [];
      for (const { apiKey, customer } of ctx.state.customers.entries()) {
        const listed = listedCustomer(apiKey, customer);
        if (search === '' || searchText(listed).includes(search)) matches.push(listed);
      }
      // Most recently changed first; a stable sort keeps creation order among equal times.
      matches.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
      sendJson(res, 200, { customers: matches.slice(0, limit), total: matches.length });
    },
  },
  requests: {
    GET(ctx, _req, res) {
      const requests = ctx.state.recorder.entries().map(loggedRequest);
      sendJson(res, 200, { requests, total: ctx.state.recorder.total });
    },
  },
  events: {
    GET(ctx, _req, res) {
      ctx.state.events.open(res);
    },
  },
  faults: {
    GET(ctx, _req, res) {
      sendJson(res, 200, { faults: ctx.state.faults.list() });
    },
    async POST(ctx, req, res) {
      const fault = await jsonBody(ctx, req, res, parseFault);
      if (!fault) return;
      ctx.state.inject(fault);
      sendJson(res, 201, { faults: ctx.state.faults.list() });
    },
    DELETE(ctx, _req, res) {
      ctx.state.clearFaults();
      sendJson(res, 200, { faults: [] });
    },
  },
  'rate-limit': {
    GET(ctx, _req, res) {
      sendJson(res, 200, { rateLimit: ctx.state.rateLimit });
    },
    async PUT(ctx, req, res) {
      const rateLimit = await jsonBody(ctx, req, res, parseRateLimit);
      if (!rateLimit) return;
      ctx.state.setRateLimit(rateLimit);
      sendJson(res, 200, { rateLimit: ctx.state.rateLimit });
    },
    DELETE(ctx, _req, res) {
      ctx.state.setRateLimit(undefined);
      sendJson(res, 200, { rateLimit: null });
    },
  },
  reset: {
    POST(ctx, _req, res) {
      ctx.state.reset();
      sendJson(res, 200, { reset: true });
    },
  },
  snapshot: {
    GET(ctx, _req, res) {
      sendJson(res, 200, snapshotOf(ctx.state.customers), {
        'content-disposition': 'attachment; filename="supportdesk-emulator-snapshot.json"',
        'cache-control': 'no-store',
      });
    },
    async PUT(ctx, req, res) {
      const records = await jsonBody(ctx, req, res, (value) => {
        const read = parseSnapshot(value);
        return read.ok ? { ok: true, value: read.records } : read;
      });
      if (!records) return;
      ctx.state.restore(records);
      sendJson(res, 200, { restored: records.length });
    },
  },
};

/** Serve the dashboard (`GET /` and its files) and the JSON admin API under `/__emulator/`. */
export async function handleAdmin(
  ctx: AdminContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'http://emulator.invalid');
  const refused = refusal(req, ctx.loopbackOnly);
  // A body left unread is drained by Node once the answer is sent.
  if (refused) return sendError(res, 403, 'FORBIDDEN', refused);
  const isPage = url.pathname === '/';
  const asset = url.pathname.startsWith(ASSETS_PREFIX) ? url.pathname.slice(ASSETS_PREFIX.length) : undefined;
  if (isPage || asset !== undefined) {
    const name = isPage ? 'index.html' : (asset as string);
    if (!ctx.dashboard.has(name))
      return sendError(res, 404, 'NOT_FOUND', `No dashboard file ${url.pathname}`);
    if (method !== 'GET' && method !== 'HEAD')
      return sendError(res, 405, 'METHOD_NOT_ALLOWED', `${method} is not allowed here; use GET`, {
        allow: 'GET, HEAD',
      });
    return ctx.dashboard.send(res, name, method);
  }
  const name = url.pathname.slice(ADMIN_PREFIX.length);
  const methods = Object.hasOwn(routes, name) ? routes[name] : undefined;
  if (!methods) return sendError(res, 404, 'NOT_FOUND', `No admin route ${url.pathname}`);
  const route = Object.hasOwn(methods, method) ? methods[method] : undefined;
  if (!route) {
    const allow = Object.keys(methods).join(', ');
    return sendError(res, 405, 'METHOD_NOT_ALLOWED', `${method} is not allowed here; use ${allow}`, {
      allow,
    });
  }
  await route(ctx, req, res, url.searchParams);
}
