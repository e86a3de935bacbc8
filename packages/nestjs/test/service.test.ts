import request from 'supertest';
import { describe, expect, it } from 'vitest';
import {
  CustomerSync,
  SUPPORTDESK_SYNC,
  SupportDeskClient,
  SupportDeskModule,
  SupportDeskService,
} from '../src/index.js';
import { API_KEY, ada, platforms, signedInAs, useNestApp } from './app.js';

describe.each(platforms)('SupportDeskService on %s', (platform) => {
  const nest = useNestApp(platform);
  const { start } = nest;

  it('syncs a user passed to identify by hand', async () => {
    const running = await start();
    const outcome = await running.get(SupportDeskService).identify(ada);
    expect(outcome).toMatchObject({ status: 'synced', externalId: ada.id, wasCreated: true });
    expect(nest.emulator.customers(API_KEY)).toMatchObject([{ externalId: ada.id, name: ada.name }]);
  });

  it('counts the syncs it made in stats', async () => {
    const running = await start();
    const service = running.get(SupportDeskService);
    await service.identify(ada);
    await service.identify(ada);
    expect(service.stats()).toMatchObject({ synced: 1, created: 1, skipped: 1 });
  });

  it('exposes the engine client for calls of your own', async () => {
    const running = await start();
    const { client } = running.get(SupportDeskService);
    expect(client).toBeInstanceOf(SupportDeskClient);
    const { wasCreated } = await (client as SupportDeskClient).upsertCustomer('user_direct', {
      email: 'd@example.com',
      name: 'Direct',
    });
    expect(wasCreated).toBe(true);
  });

  it('provides its engine under SUPPORTDESK_SYNC', async () => {
    const running = await start();
    expect(running.get(SUPPORTDESK_SYNC)).toBe(running.get(SupportDeskService).sync);
  });

  it('sends a pending sync when the app closes', async () => {
    nest.emulator.inject({ latencyMs: 300, times: 1 });
    const running = await start();
    await request(running.getHttpServer()).get('/me').set(signedInAs(ada)).expect(200);
    expect(nest.emulator.customers(API_KEY)).toEqual([]);
    await nest.closeApp();
    expect(nest.emulator.customers(API_KEY)).toMatchObject([{ externalId: ada.id }]);
  });

  it('closes the engine it built when the app closes', async () => {
    const running = await start();
    const { sync } = running.get(SupportDeskService);
    await nest.closeApp();
    await expect(sync.identify(ada)).resolves.toMatchObject({ status: 'dropped' });
  });

  it('flushes but leaves open an engine passed in as sync', async () => {
    const sync = new CustomerSync({ apiKey: API_KEY, baseUrl: nest.emulator.baseUrl });
    const running = await nest.create({ imports: [SupportDeskModule.forRoot({ sync })] });
    await request(running.getHttpServer()).get('/me').set(signedInAs(ada)).expect(200);
    await nest.closeApp();
    expect(nest.emulator.customers(API_KEY)).toHaveLength(1);
    await expect(sync.identify({ ...ada, name: 'Ada King' })).resolves.toMatchObject({ status: 'synced' });
    await sync.close();
  });
});
