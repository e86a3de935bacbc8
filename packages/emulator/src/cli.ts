#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { isLoopbackHost } from './admin/guard.js';
import { startEmulator } from './server.js';
import type { ResponseEvent } from './types.js';

const DEFAULT_PORT = 4010;

const USAGE = `Usage: supportdesk-emulator [options]

A local SupportDesk Customers API (PATCH /api/v1/customers/:externalId) for development and tests,
with a dashboard at / to see customers and requests live and to inject faults.
Customers live in memory, per API key, until the process stops.

Options:
  --port <number>        port to listen on, 0 for a free one (default: ${DEFAULT_PORT})
  --host <address>       interface to listen on (default: 127.0.0.1); another one opens the
                         dashboard and its admin API to that network
  --api-key <key>        accept only this key; repeat for several (default: any non-empty key)
  --rate-limit <number>  requests per second per API key, in bursts of as many; more get 429
                         RATE_LIMITED with Retry-After (default: no limit)
  -h, --help             show this help
`;

/** One log line a request; the id is quoted so odd characters cannot forge a line. */
function logLine(event: ResponseEvent): string {
  const subject =
    event.externalId === undefined ? event.path.split('?')[0] : JSON.stringify(event.externalId);
  return `${event.method} ${subject} ${event.status}\n`;
}

function fail(message: string, exitCode: number): void {
  process.stderr.write(`supportdesk-emulator: ${message}\n`);
  process.exitCode = exitCode;
}

async function main(): Promise<void> {
  let values: { port?: string; host?: string; 'api-key'?: string[]; 'rate-limit'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'api-key': { type: 'string', multiple: true },
        'rate-limit': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    fail(`${(error as Error).message}\n\n${USAGE}`, 2);
    return;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (values.port !== undefined && (values.port.trim() === '' || !Number.isInteger(port))) {
    fail(`--port must be an integer (got ${JSON.stringify(values.port)})`, 2);
    return;
  }
  const rateLimit = values['rate-limit'] === undefined ? undefined : Number(values['rate-limit']);
  if (
    rateLimit !== undefined &&
    (values['rate-limit']?.trim() === '' || !(rateLimit > 0) || !Number.isFinite(rateLimit))
  ) {
    fail(
      `--rate-limit must be a number of requests per second > 0 (got ${JSON.stringify(values['rate-limit'])})`,
      2,
    );
    return;
  }

  if (values.host !== undefined && !isLoopbackHost(values.host))
    process.stderr.write(
      `supportdesk-emulator: warning: --host ${values.host} is not loopback: anyone on that network can open the dashboard and call the admin API under /__emulator/, which exports every customer with its raw API key.\n`,
    );

  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  try {
    emulator = await startEmulator({
      port,
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(values['api-key'] === undefined ? {} : { apiKeys: values['api-key'] }),
      ...(rateLimit === undefined ? {} : { rateLimit: { perSecond: rateLimit } }),
      onResponse: (event) => process.stdout.write(logLine(event)),
    });
  } catch (error) {
    fail(`cannot start: ${(error as Error).message}`, 1);
    return;
  }
  process.stdout.write(
    `SupportDesk emulator listening on ${emulator.baseUrl}\nDashboard: ${emulator.dashboardUrl}\n`,
  );
  if (rateLimit !== undefined)
    process.stdout.write(`Rate limit: ${rateLimit} requests per second per API key\n`);

  const stop = () => {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    // Once the server is closed nothing holds the event loop, so the process exits with 0.
    void emulator.close();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
