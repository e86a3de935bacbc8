import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Emulator, startEmulator } from '@supportdesk/emulator';
import { afterAll, afterEach } from 'vitest';
import { SupportDeskClient } from '../../src/client/client.js';
import type { SupportDeskClientOptions } from '../../src/client/options.js';

/** One request as the fault server received it. */
export interface ReceivedRequest {
  method: string;
  /** The request target exactly as sent, still percent-encoded. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Answers request number `index` (from 0); it may also leave the response unanswered or destroy it. */
export type FaultHandler = (res: ServerResponse, request: ReceivedRequest, index: number) => void;

/** A scripted HTTP server on 127.0.0.1 for the faults the emulator cannot produce. */
export interface FaultServer {
  /** Origin, e.g. http://127.0.0.1:41234. */
  readonly origin: string;
  /** `${origin}/api/v1`, to give the client as baseUrl. */
  readonly baseUrl: string;
  /** Every request received, oldest first. */
  readonly requests: ReceivedRequest[];
  close(): Promise<void>;
}

/**
 * Starts a server that runs `handler` for each request once its body is read. Bodies are
 * capped at 1 MB so a runaway test cannot grow memory without bound.
 */
export async function startFaultServer(handler: FaultHandler): Promise<FaultServer> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 1_048_576) chunks.push(chunk);
    });
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      handler(res, request, requests.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    baseUrl: `${origin}/api/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Sends `body` with `status`: a string as is (with `contentType`), anything else as JSON. */
export function reply(
  res: ServerResponse,
  status: number,
  body: unknown = '',
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const contentType = typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/json';
  res.writeHead(status, { 'content-type': contentType, ...headers });
  res.end(text);
}

/** A valid success envelope for `externalId`, as SupportDesk documents it. */
export function upsertSuccess(externalId: string, wasCreated = true, metadata?: unknown): unknown {
  const at = '2026-04-18T10:00:00Z';
  return {
    success: true,
    data: {
      customer: {
        id: 'cl_test',
        externalId,
        email: 'john@acme.com',
        name: 'John Doe',
        metadata,
        createdAt: at,
        updatedAt: at,
      },
      wasCreated,
    },
    timestamp: at,
  };
}

// Helpers the client tests share with the fault server: the test key, a client, and probes.

/** A distinctive key, so a test can search any text for it. */
export const API_KEY = 'sk_test_Sup3rS3cretKey_9f2c';

/** Records each wait the client asks for and skips it, so retry tests neither sleep nor time anything. */
export function recordingSleep(): { waits: number[]; sleep: (ms: number) => Promise<void> } {
  const waits: number[] = [];
  return {
    waits,
    sleep: async (ms: number) => {
      waits.push(ms);
    },
  };
}

/** Wraps the real fetch and counts the calls, to prove a request was or was not made. */
export function countingFetch(): { calls: () => number; fetch: typeof fetch } {
  let calls = 0;
  return {
    calls: () => calls,
    fetch: (input, init) => {
      calls++;
      return fetch(input, init);
    },
  };
}

/** A client for tests: small backoff delays, the test key. */
export function testClient(baseUrl: string, options: SupportDeskClientOptions = {}): SupportDeskClient {
  return new SupportDeskClient({
    apiKey: API_KEY,
    baseUrl,
    retryBaseDelayMs: 1,
    retryMaxDelayMs: 5,
    ...options,
  });
}

/**
 * Starts one emulator for the calling test file, empties it after each test and closes it
 * after the last. Await it at the top level of the file, so every test reads the same instance.
 */
export async function useEmulator(): Promise<Emulator> {
  const emulator = await startEmulator({ port: 0 });
  afterEach(() => {
    emulator.reset();
  });
  afterAll(async () => {
    await emulator.close();
  });
  return emulator;
}

/** Polls `condition` every 5 ms, at most 2,000 times, for state another party changes. */
export async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 2_000 && !condition(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  if (!condition()) throw new Error('condition not met in time');
}

/** Awaits `promise` and returns what it rejected with; fails the test if it resolved. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}
