import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { SupportDeskService } from '../src/index.js';
import { API_KEY, ada, platforms, signedInAs, useNestApp } from './app.js';

describe.each(platforms)('the interceptor on %s', (platform) => {
  const nest = useNestApp(platform);
  const { start } = nest;

  const syncedIds = () => nest.emulator.customers(API_KEY).map((customer) => customer.externalId);

  it('syncs the user a guard set on the request', async () => {
    const running = await start();
    await request(running.getHttpServer()).get('/me').set(signedInAs(ada)).expect(200, { ok: true });
    await running.get(SupportDeskService).flush();
    expect(nest.emulator.customers(API_KEY)).toMatchObject([
      { externalId: ada.id, email: ada.email, name: ada.name },
    ]);
  });

  it('ignores an anonymous request', async () => {
    const running = await start();
    await request(running.getHttpServer()).get('/me').expect(200, { ok: true });
    await running.get(SupportDeskService).flush();
    expect(nest.emulator.requestCount).toBe(0);
    expect(running.get(SupportDeskService).stats().ignored).toBe(1);
  });

  it('leaves the error response of a throwing handler unchanged and still syncs its user', async () => {
    const running = await start();
    await request(running.getHttpServer())
      .get('/teapot')
      .set(signedInAs(ada))
      .expect(418, { reason: 'short and stout' });
    await running.get(SupportDeskService).flush();
    expect(syncedIds()).toEqual([ada.id]);
  });

  it.each([
    ['a handler', '/health', 'up'],
    ['a controller', '/internal', []],
  ])('does not sync the user of %s marked @SkipCustomerSync()', async (_where, path, body) => {
    const running = await start();
    await request(running.getHttpServer()).get(path).set(signedInAs(ada)).expect(200, body);
    await running.get(SupportDeskService).flush();
    expect(nest.emulator.requestCount).toBe(0);
  });

  it('syncs a handler marked @SkipCustomerSync(false) inside a skipped controller', async () => {
    const running = await start();
    await request(running.getHttpServer()).get('/internal/opted-in').set(signedInAs(ada)).expect(200);
    await running.get(SupportDeskService).flush();
    expect(syncedIds()).toEqual([ada.id]);
  });

  it('reads the user with a custom getUser given the execution context', async () => {
    const running = await start({
      getUser: (context) => {
        const { headers } = context.switchToHttp().getRequest<{ headers: Record<string, string> }>();
        return { id: headers['x-account'], email: 'grace@example.com', name: 'Grace Hopper' };
      },
    });
    await request(running.getHttpServer()).get('/me').set('x-account', 'acct_7').expect(200);
    await running.get(SupportDeskService).flush();
    expect(syncedIds()).toEqual(['acct_7']);
  });

  it('syncs before responding when awaitSync is on', async () => {
    nest.emulator.inject({ latencyMs: 300, times: 1 });
    const running = await start({ awaitSync: true });
    await request(running.getHttpServer()).get('/me').set(signedInAs(ada)).expect(200, { ok: true });
    expect(syncedIds()).toEqual([ada.id]);
  });

  it('syncs before sending the error response when awaitSync is on', async () => {
    nest.emulator.inject({ latencyMs: 300, times: 1 });
    const running = await start({ awaitSync: true });
    await request(running.getHttpServer()).get('/teapot').set(signedInAs(ada)).expect(418);
    expect(syncedIds()).toEqual([ada.id]);
  });
});
