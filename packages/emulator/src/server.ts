import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLoopbackHost } from './admin/guard.js';
import { type AdminContext, handleAdmin, isAdminRequest } from './admin/router.js';
import { Dashboard } from './dashboard.js';
import { sendError } from './envelope.js';
import { type Exchange, type HandlerContext, handleRequest } from './handler.js';
import { resolveOptions } from './options.js';
import { API_PREFIX, matchRoute } from './route.js';
import { EmulatorState } from './state.js';
import type { Emulator, EmulatorOptions, ResponseEvent } from './types.js';

function originOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Start a local SupportDesk Customers API on loopback. It keeps customers in memory per API
 * key, answers like the upstream API, lets a test script faults, and serves a dashboard at `/`.
 *
 * @example
 * const emulator = await startEmulator();
 * const client = new SupportDeskClient({ apiKey: 'test-key', baseUrl: emulator.baseUrl });
 * await client.upsertCustomer('user_42', { email: 'john@acme.com', name: 'John Doe' });
 * emulator.customers('test-key'); // [{ id: 'cl…', externalId: 'user_42', … }]
 * console.log(`Dashboard: ${emulator.dashboardUrl}`);
 * await emulator.close();
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const settings = resolveOptions(options);
  const state = new EmulatorState(settings.maxRecordedRequests, settings.rateLimit);
  /** Cancels every pending latency wait, so close() never waits on or is held open by one. */
  const pendingDelays = new Set<() => void>();

  const ctx: HandlerContext = {
    state,
    apiKeys: settings.apiKeys,
    requestTimeoutMs: settings.requestTimeoutMs,
    now: () => performance.now(),
    delay(ms: number, res: ServerResponse) {
      return new Promise<boolean>((resolve) => {
        const finish = (completed: boolean) => {
          clearTimeout(timer);
          pendingDelays.delete(cancel);
          res.off('close', cancel);
          resolve(completed);
        };
        const cancel = () => finish(false);
        const timer = setTimeout(() => finish(true), ms);
        timer.unref();
        pendingDelays.add(cancel);
        res.on('close', cancel);
      });
    },
  };
  const admin: AdminContext = {
    state,
    dashboard: new Dashboard(),
    loopbackOnly: isLoopbackHost(settings.host),
    requestTimeoutMs: settings.requestTimeoutMs,
  };

  const report = (event: ResponseEvent) => {
    try {
      settings.onResponse?.(event);
    } catch {
      // A logging hook must never break the server.
    }
  };

  const fail = (res: ServerResponse) => () => {
    if (res.headersSent) res.destroy();
    else sendError(res, 500, 'INTERNAL_ERROR', 'The emulator failed to handle this request');
  };

  const server = createServer(
    {
      // Slow headers get Node's bare 408; a slow body is timed by readBody, which answers the envelope.
      headersTimeout: settings.requestTimeoutMs,
      requestTimeout: 0,
      connectionsCheckingInterval: Math.min(1_000, settings.requestTimeoutMs),
    },
    (req, res) => {
      const method = req.method ?? 'GET';
      const path = req.url ?? '/';
      if (isAdminRequest(method, path)) {
        handleAdmin(admin, req, res).catch(fail(res));
        return;
      }
      const startedAt = performance.now();
      const route = matchRoute(path);
      const exchange: Exchange = {};
      res.on('close', () => {
        const status = res.writableFinished ? res.statusCode : 'dropped';
        const { entry } = exchange;
        if (entry) {
          entry.status = status;
          entry.durationMs = Math.round((performance.now() - startedAt) * 10) / 10;
          state.answered(entry);
        }
        report({
          method,
          path,
          ...(route.kind === 'customer' ? { externalId: route.externalId } : {}),
          status,
        });
      });
      handleRequest(ctx, req, res, exchange).catch(fail(res));
    },
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = originOf(settings.host, port);
  let closing: Promise<void> | undefined;

  return {
    baseUrl: `${url}${API_PREFIX}`,
    url,
    dashboardUrl: `${url}/`,
    port,
    get requests() {
      return state.recorder.list();
    },
    get requestCount() {
      return state.recorder.total;
    },
    inject(fault) {
      state.inject(fault);
    },
    setRateLimit(rateLimit) {
      state.setRateLimit(rateLimit);
    },
    reset() {
      state.reset();
    },
    customers(apiKey: string) {
      return state.customers.list(apiKey);
    },
    upsertCount(externalId?: string) {
      return state.recorder
        .list()
        .filter(
          (r) =>
            r.method === 'PATCH' &&
            r.externalId !== undefined &&
            (externalId === undefined || r.externalId === externalId),
        ).length;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const cancel of [...pendingDelays]) cancel();
        state.events.closeAll();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
