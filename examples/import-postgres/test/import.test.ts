import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Emulator, startEmulator } from '@supportdesk/emulator';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importUsers } from '../src/import-users.js';
import { startPostgres } from '../src/postgres-server.js';
import { seedUsers, USER_COUNT } from '../src/seed.js';
import { skipWithoutPostgres } from './support.js';

const API_KEY = 'sk_test_import_postgres';

describe.skipIf(skipWithoutPostgres)('the import-postgres example, on a real PostgreSQL server', () => {
  let server: Awaited<ReturnType<typeof startPostgres>>;
  let client: pg.Client;
  let emulator: Emulator;

  beforeAll(async () => {
    server = await startPostgres();
    client = new pg.Client({ connectionString: server.url });
    await client.connect();
    emulator = await startEmulator({ port: 0, maxRecordedRequests: 0 });
  }, 60_000);
  afterAll(async () => {
    await client?.end();
    await emulator?.close();
    await server?.stop();
  });

  it('streams a users table of 10,000 rows through a cursor into importCustomers', async () => {
    await seedUsers(client);
    let mostAhead = 0;
    const summary = await importUsers(client, {
      apiKey: API_KEY,
      baseUrl: emulator.baseUrl,
      onProgress: ({ read, completed }) => {
        mostAhead = Math.max(mostAhead, read - completed);
      },
    });
    expect(summary).toMatchObject({
      read: USER_COUNT,
      completed: USER_COUNT,
      created: USER_COUNT,
      failed: 0,
      invalid: 0,
    });
    expect(mostAhead).toBeLessThanOrEqual(8 + 16);
    const customers = emulator.customers(API_KEY);
    expect(customers).toHaveLength(USER_COUNT);
    expect(customers.find((customer) => customer.externalId === '3')).toMatchObject({
      email: 'user3@example.com',
      name: 'User No. 3',
      metadata: { plan: 'free', companyName: 'Company 3', signedUpAt: expect.any(String) },
    });
    expect(customers.find((customer) => customer.externalId === '4')?.metadata).not.toHaveProperty(
      'companyName',
    );
  }, 120_000);

  it('runs as pnpm start does, and on Ctrl-C stops the import and its PostgreSQL server', async () => {
    const main = fileURLToPath(new URL('../src/main.js', import.meta.url));
    const env: Record<string, string | undefined> = { ...process.env };
    delete env.SUPPORTDESK_API_KEY;
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, [main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      output += text;
      if (/2,500 rows done/.test(text)) child.kill('SIGINT');
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      output += text;
    });
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect(output).toMatch(/Created the users table with 10,000 rows/);
    expect(output).toMatch(/"aborted":true/);
    expect(code).toBe(130);
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
    const refused = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  }, 120_000);
});
