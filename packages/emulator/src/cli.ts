#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startEmulator } from './server.js';
import type { ResponseEvent } from './types.js';

const DEFAULT_PORT = 4010;

const USAGE = `Usage: supportdesk-emulator [options]

A local SupportDesk Customers API (PATCH /api/v1/customers/:externalId) for development and tests.
Customers live in memory, per API key, until the process stops.

Options:
  --port <number>     port to listen on, 0 for a free one (default: ${DEFAULT_PORT})
  --host <address>    interface to listen on (default: 127.0.0.1)
  --api-key <key>     accept only this key; repeat for several (default: any non-empty key)
  -h, --help          show this help
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
  let values: { port?: string; host?: string; 'api-key'?: string[]; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'api-key': { type: 'string', multiple: true },
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

  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  try {
    emulator = await startEmulator({
      port,
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(values['api-key'] === undefined ? {} : { apiKeys: values['api-key'] }),
      onResponse: (event) => process.stdout.write(logLine(event)),
    });
  } catch (error) {
    fail(`cannot start: ${(error as Error).message}`, 1);
    return;
  }
  process.stdout.write(`SupportDesk emulator listening on ${emulator.baseUrl}\n`);

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
