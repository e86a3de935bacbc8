import http from 'node:http';
import { startEmulator } from '@supportdesk/emulator';
import { createApp } from './app.js';

// With a key in the environment the app talks to the real SupportDesk (SUPPORTDESK_BASE_URL,
// when set, replaces the default URL); without one it embeds the local emulator.
const realApiKey = process.env.SUPPORTDESK_API_KEY;
const emulator = realApiKey ? undefined : await startEmulator({ port: 0 });
const apiKey = realApiKey ?? 'sd_demo_local_key';
const port = Number(process.env.PORT ?? 3000);
const host = '127.0.0.1';

const { app, supportDesk } = createApp({
  sessionKeys: process.env.SESSION_KEYS?.split(','),
  supportDesk: {
    apiKey,
    baseUrl: emulator?.baseUrl,
    onSync: (event) => {
      const verb = event.wasCreated ? 'created' : 'updated';
      console.log(`[supportdesk] ${verb} customer ${event.externalId}`);
      if (emulator) {
        const names = emulator
          .customers(apiKey)
          .map((customer) => `${customer.externalId} (${customer.name})`);
        console.log(`[supportdesk] emulator now holds: ${names.join(', ')}`);
      }
    },
    onError: (error) => console.warn(`[supportdesk] sync failed: ${error.name}: ${error.message}`),
  },
});

const server = http.createServer(app.callback());
server.on('error', async (error) => {
  console.error(`Cannot listen on ${host}:${port}: ${error.message} (set PORT to use another port)`);
  await shutdown(1);
});
server.listen(port, host, () => {
  const url = `http://${host}:${server.address().port}`;
  const json = `-H 'content-type: application/json'`;
  // -b and -c together: the jar follows the session cookie, which login and logout replace.
  const jar = '-b jar.txt -c jar.txt';
  console.log(`Koa example listening on ${url}`);
  console.log(`SupportDesk: ${emulator ? `embedded emulator at ${emulator.baseUrl}` : 'the real API'}`);
  if (emulator)
    console.log(`Emulator dashboard: ${emulator.dashboardUrl} (synced customers and requests, live)`);
  console.log(`
Try it (demo users: ada/lovelace, alan/turing, grace/hopper):
  curl ${jar} ${json} -d '{"username":"ada","password":"lovelace"}' ${url}/login
  curl ${jar} ${url}/me
  curl ${jar} ${json} -d '{"name":"Ada King","plan":"enterprise"}' ${url}/profile
  curl ${jar} -X POST ${url}/logout
Press Ctrl+C to stop.`);
});

let closing = false;
async function shutdown(exitCode = 0) {
  if (closing) return;
  closing = true;
  server.close();
  server.closeAllConnections();
  // Sends what is still queued before the emulator (or the process) goes away.
  await supportDesk.sync.close();
  await emulator?.close();
  process.exit(exitCode);
}

process.once('SIGINT', () => shutdown());
process.once('SIGTERM', () => shutdown());
