import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CustomerBook } from './customers.js';
import { sendError } from './envelope.js';
import { FaultList } from './faults.js';
import { type HandlerContext, handleRequest } from './handler.js';
import { resolveOptions } from './options.js';
import { RequestRecorder } from './recorder.js';
import { API_PREFIX, matchRoute } from './route.js';
import type { Emulator, EmulatorOptions, Fault, ResponseEvent } from './types.js';

function originOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Start a local SupportDesk Customers API on loopback. It keeps customers in memory per API
 * key, answers like the upstream API, and lets a test script faults.
 *
 * @example
 * const emulator = await startEmulator();
 * const client = new SupportDeskClient({ apiKey: 'test-key', baseUrl: emulator.baseUrl });
 * await client.upsertCustomer('user_42', { email: 'john@acme.com', name: 'John Doe' });
 * emulator.customers('test-key'); // [{ id: 'cl…', externalId: 'user_42', … }]
 * await emulator.close();
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const settings = resolveOptions(options);
  const customers = new CustomerBook();
  const faults = new FaultList();
  const recorder = new RequestRecorder(settings.maxRecordedRequests);
  /** Cancels every pending latency wait, so close() never waits on or is held open by one. */
  const pendingDelays = new Set<() => void>();

  const ctx: HandlerContext = {
    customers,
    faults,
    recorder,
    apiKeys: settings.apiKeys,
    requestTimeoutMs: settings.requestTimeoutMs,
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

  const report = (event: ResponseEvent) => {
    try {
      settings.onResponse?.(event);
    } catch {
      // A logging hook must never break the server.
    }
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
      const route = matchRoute(path);
      res.on('close', () => {
        report({
          method,
          path,
          ...(route.kind === 'customer' ? { externalId: route.externalId } : {}),
          status: res.writableFinished ? res.statusCode : 'dropped',
        });
      });
      handleRequest(ctx, req, res).catch(() => {
        if (res.headersSent) res.destroy();
        else sendError(res, 500, 'INTERNAL_ERROR', 'The emulator failed to handle this request');
      });
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
    port,
    get requests() {
      return recorder.list();
    },
    get requestCount() {
      return recorder.total;
    },
    inject(fault: Fault) {
      faults.add(fault);
    },
    reset() {
      customers.clear();
      faults.clear();
      recorder.clear();
    },
    customers(apiKey: string) {
      return customers.list(apiKey);
    },
    upsertCount(externalId?: string) {
      return recorder
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
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
