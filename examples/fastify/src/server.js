import { startEmulator } from '@supportdesk/emulator';
import { createApp } from './app.js';
import { DEMO_NEW_NAME, runDemo } from './demo.js';
import { DEMO_ACCOUNTS } from './users.js';

const HOST = '127.0.0.1';
/** Any non-empty key works with the emulator; this one only ever goes to the local emulator. */
const EMULATOR_API_KEY = 'sd_local_emulator_key';

const log = (line) => console.log(line);

/**
 * `--demo` / DEMO=1 drives the flow itself and exits; `--serve` / DEMO=0 keeps serving.
 * Otherwise the demo runs when nobody can try the app by hand: CI, or stdin not a terminal.
 */
function demoMode() {
  const args = process.argv.slice(2);
  if (args.includes('--demo') || process.env.DEMO === '1') return true;
  if (args.includes('--serve') || process.env.DEMO === '0') return false;
  return process.env.CI === 'true' || !process.stdin.isTTY;
}

/** The embedded emulator, unless SUPPORTDESK_API_KEY points the app at the real SupportDesk. */
async function startUpstream() {
  if (process.env.SUPPORTDESK_API_KEY) {
    // The engine reads SUPPORTDESK_API_KEY and SUPPORTDESK_BASE_URL itself.
    log(`upstream: SupportDesk at ${process.env.SUPPORTDESK_BASE_URL ?? 'the default URL'}`);
    return { emulator: undefined, syncOptions: {} };
  }
  const emulator = await startEmulator({
    port: 0,
    host: HOST,
    onResponse: (event) => log(`  emulator: ${event.method} ${event.path} -> ${event.status}`),
  });
  log(`upstream: embedded SupportDesk emulator at ${emulator.baseUrl}`);
  return { emulator, syncOptions: { apiKey: EMULATOR_API_KEY, baseUrl: emulator.baseUrl } };
}

function printTryThis(url) {
  const [account] = DEMO_ACCOUNTS;
  log(`
app: listening on ${url}   (Ctrl+C stops it)

Try it (the login answers a token; send it as a bearer token):
  TOKEN=$(curl -s -H 'content-type: application/json' \\
       -d '{"email":"${account?.email}","password":"${account?.password}"}' ${url}/login | node -p 'JSON.parse(require("fs").readFileSync(0)).token')
  curl -H "authorization: Bearer $TOKEN" ${url}/me
  curl -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"name":"${DEMO_NEW_NAME}","plan":"enterprise"}' ${url}/profile
  curl ${url}/health   # never synced: config: { supportdesk: false }
Each request of a logged-in user is synced; the lines below show it happen.
`);
}

/** Checks what the demo should have left at the emulator; with the real API it trusts the stats. */
function demoSucceeded(sync, emulator, externalId) {
  const stats = sync.stats();
  log(`\nsync stats: ${JSON.stringify(stats)}`);
  if (!emulator) return stats.failed === 0 && stats.synced > 0;
  const customers = emulator.customers(EMULATOR_API_KEY);
  log(`emulator customers: ${JSON.stringify(customers, null, 2)}`);
  return customers.some((customer) => customer.externalId === externalId && customer.name === DEMO_NEW_NAME);
}

async function main() {
  const demo = demoMode();
  const { emulator, syncOptions } = await startUpstream();
  const app = await createApp({
    ...syncOptions,
    onSync: (event) =>
      log(`  sync: ${event.externalId} ${event.wasCreated ? 'created' : 'updated'} in SupportDesk`),
    onError: (error, event) => log(`  sync: ${event?.externalId ?? 'a user'} failed: ${error.message}`),
  });
  // app.close() stops the server, then flushes and closes the SupportDesk engine.
  const shutdown = async () => {
    await app.close();
    await emulator?.close();
  };

  const port = Number(process.env.PORT ?? (demo ? 0 : 3000));
  let url;
  try {
    url = await app.listen({ port, host: HOST });
  } catch (error) {
    log(`app: cannot listen on ${HOST}:${port} (${error.message}); set PORT to a free port`);
    await shutdown();
    return 1;
  }

  if (!demo) {
    printTryThis(url);
    for (const signal of ['SIGINT', 'SIGTERM']) {
      process.once(signal, () => {
        log(`\n${signal}: flushing pending syncs and stopping`);
        void shutdown().then(() => log('stopped'));
      });
    }
    return 0;
  }

  log(`app: listening on ${url}, running the demo (pass --serve to keep serving)\n`);
  let ok = false;
  try {
    const externalId = await runDemo(url, log);
    await app.supportdesk.flush();
    ok = demoSucceeded(app.supportdesk, emulator, externalId);
  } catch (error) {
    log(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  await shutdown();
  log(ok ? '\ndemo: done' : '\ndemo: FAILED');
  return ok ? 0 : 1;
}

process.exitCode = await main();
