import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { type CustomerSync, SUPPORTDESK_SYNC, SupportDeskService } from '../src/index.js';
import { API_KEY, ada, platforms, signedInAs, useNestApp } from './app.js';

describe.each(platforms)('awaitSync on %s', (platform) => {
  const nest = useNestApp(platform);
  const { start } = nest;

  const syncedIds = () => nest.emulator.customers(API_KEY).map((customer) => customer.externalId);

  it('syncs before responding', async () => {
    nest.emulator.inject({ latencyMs: 300, times: 1 });
    const running = await start({ awaitSync: true });
    await request(running.getHttpServer()).get('/me').set(signedInAs(ada)).expect(200, { ok: true });
    expect(syncedIds()).toEqual([ada.id]);
  });

  it('syncs before sending the error response', async () => {
    nest.emulator.inject({ latencyMs: 300, times: 1 });
    const running = await start({ awaitSync: true });
    await request(running.getHttpServer()).get('/teapot').set(signedInAs(ada)).expect(418);
    expect(syncedIds()).toEqual([ada.id]);
  });

  it('answers after awaitSyncTimeoutMs while SupportDesk rate-limits for 30 s', async () => {
    nest.emulator.inject({ status: 429, retryAfter: 30 });
    const running = await start({ awaitSync: true, awaitSyncTimeoutMs: 200, onError: () => {} });
    const startedAt = Date.now();
    await request(running.getHttpServer()).get('/me').set(signedInAs(ada)).expect(200, { ok: true });
    // A bound, not a benchmark: well under the 30 s pause, whatever the machine's load.
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(running.get(SupportDeskService).stats().queued).toBe(1);
    // The queued sync would hold the app's close() until the engine's deadline: give it none.
    await running.get<string, CustomerSync>(SUPPORTDESK_SYNC).close(0);
  });

  it('syncs each request once, not once more when the response closes', async () => {
    const running = await start({ awaitSync: true });
    await request(running.getHttpServer()).get('/me').set(signedInAs(ada)).expect(200);
    await running.get(SupportDeskService).flush();
    expect(running.get(SupportDeskService).stats()).toMatchObject({ synced: 1, skipped: 0, coalesced: 0 });
  });

  it('does not sync the user of a handler marked @SkipCustomerSync()', async () => {
    const running = await start({ awaitSync: true });
    await request(running.getHttpServer()).get('/health').set(signedInAs(ada)).expect(200, 'up');
    await running.get(SupportDeskService).flush();
    expect(nest.emulator.requestCount).toBe(0);
  });
});
