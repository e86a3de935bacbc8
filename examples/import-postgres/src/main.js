/**
 * `pnpm start`: a real PostgreSQL server (a temporary one unless DATABASE_URL is set) with a
 * users table of 10,000 rows, imported into SupportDesk. Without SUPPORTDESK_API_KEY the
 * customers go to an emulator embedded here; set SUPPORTDESK_API_KEY (and SUPPORTDESK_BASE_URL)
 * to import into your account instead. Everything it started is stopped and removed on exit,
 * also after a failure or Ctrl-C.
 */
import { startEmulator } from '@supportdesk/emulator';
import pg from 'pg';
import { importUsers } from './import-users.js';
import { startPostgres } from './postgres-server.js';
import { seedUsers, USER_COUNT } from './seed.js';

const cleanups = [];
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
process.once('SIGTERM', () => controller.abort());

try {
  let databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl === undefined) {
    const server = await startPostgres();
    cleanups.push(() => server.stop());
    databaseUrl = server.url;
    console.log(`Started a temporary PostgreSQL server on 127.0.0.1:${server.port}.`);
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  cleanups.push(() => client.end());
  await seedUsers(client);
  console.log(`Created the users table with ${USER_COUNT.toLocaleString('en-US')} rows.`);

  let target = { apiKey: process.env.SUPPORTDESK_API_KEY, baseUrl: process.env.SUPPORTDESK_BASE_URL };
  let emulator;
  if (target.apiKey === undefined) {
    emulator = await startEmulator({ port: 0, maxRecordedRequests: 0 });
    cleanups.push(() => emulator.close());
    target = { apiKey: 'sk_example_import_postgres', baseUrl: emulator.baseUrl };
    console.log(`SupportDesk emulator: ${emulator.baseUrl} (dashboard ${emulator.dashboardUrl})`);
  }

  let shown = 0;
  const summary = await importUsers(client, {
    ...target,
    signal: controller.signal,
    onProgress: ({ completed }) => {
      if (completed - shown < 2_500) return;
      shown = completed;
      console.log(`  ${completed.toLocaleString('en-US')} rows done`);
    },
    onFailure: ({ index, externalId, error }) =>
      console.warn(`  row ${index} (${externalId}): ${error.message}`),
  });
  console.log('Import summary:', JSON.stringify(summary));
  if (emulator !== undefined)
    console.log(
      `Customers in the emulator: ${emulator.customers(target.apiKey).length.toLocaleString('en-US')}`,
    );
  if (summary.aborted) process.exitCode = 130;
  else if (summary.failed + summary.invalid > 0) process.exitCode = 1;
} catch (error) {
  console.error(`import-postgres: ${error.message}`);
  process.exitCode = 1;
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
}
