import { startEmulator } from '@supportdesk/emulator';
import { it } from 'vitest';
import { importCustomers } from '../../src/import/import-customers.js';

it('dbg', async () => {
  const emulator = await startEmulator({ port: 0 });
  const store = {
    claim: () => 'claimed',
    commit() {},
    release() {},
    async holdSending() {},
    async sendingHeld() {
      return { rateLimitMs: 0, authMs: 60000 };
    },
  };
  const e = await importCustomers(
    [
      { id: 'a', name: 'A', email: 'a@x.com' },
      { id: 'b', name: 'B', email: 'b@x.com' },
    ],
    {
      apiKey: 'k',
      baseUrl: emulator.baseUrl,
      store: store as never,
      onFailure: (f) => console.log('fail', f.error.message),
    },
  ).catch((x) => x);
  console.log(e.message, e.summary, emulator.requestCount);
  await emulator.close();
});
