import { APP_GUARD } from '@nestjs/core';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { SupportDeskModule, SupportDeskService } from '../src/index.js';
import { API_KEY, ada, HeaderAuthGuard, platforms, signedInAs, useNestApp } from './app.js';

describe.each(platforms)('the request hook on %s', (platform) => {
  const nest = useNestApp(platform);
  const { start } = nest;

  const syncedIds = () => nest.emulator.customers(API_KEY).map((customer) => customer.externalId);

  /** An app whose only auth is a global guard of the app's own, next to the module's. */
  const startWithGlobalAuth = (withAuth: boolean) =>
    nest.create({
      imports: [SupportDeskModule.forRoot({ apiKey: API_KEY, baseUrl: nest.emulator.baseUrl })],
      providers: withAuth ? [{ provide: APP_GUARD, useClass: HeaderAuthGuard }] : [],
    });

  it('syncs the user a controller-level guard set on the request', async () => {
    const running = await start();
    await request(running.getHttpServer()).get('/me').set(signedInAs(ada)).expect(200, { ok: true });
    await running.get(SupportDeskService).flush();
    expect(nest.emulator.customers(API_KEY)).toMatchObject([
      { externalId: ada.id, email: ada.email, name: ada.name },
    ]);
  });

  it('identifies each request once', async () => {
    const running = await start();
    for (let i = 0; i < 3; i++)
      await request(running.getHttpServer()).get('/me').set(signedInAs(ada)).expect(200);
    await running.get(SupportDeskService).flush();
    expect(running.get(SupportDeskService).stats()).toMatchObject({ synced: 1, skipped: 2, coalesced: 0 });
  });

  it('syncs the user a global AuthGuard of the app set on the request', async () => {
    const running = await startWithGlobalAuth(true);
    await request(running.getHttpServer()).get('/open').set(signedInAs(ada)).expect(200, { open: true });
    await running.get(SupportDeskService).flush();
    expect(syncedIds()).toEqual([ada.id]);
  });

  it('syncs nobody on a route no guard signs in', async () => {
    const running = await startWithGlobalAuth(false);
    await request(running.getHttpServer()).get('/open').set(signedInAs(ada)).expect(200, { open: true });
    await running.get(SupportDeskService).flush();
    expect(nest.emulator.requestCount).toBe(0);
  });

  it('ignores an anonymous request', async () => {
    const running = await start();
    await request(running.getHttpServer()).get('/me').expect(200, { ok: true });
    await running.get(SupportDeskService).flush();
    expect(nest.emulator.requestCount).toBe(0);
    expect(running.get(SupportDeskService).stats().ignored).toBe(1);
  });

  it('sends nothing for a request an AuthGuard rejects, and keeps its 401', async () => {
    const running = await start();
    await request(running.getHttpServer()).get('/locked').set(signedInAs(ada)).expect(401);
    await running.get(SupportDeskService).flush();
    expect(nest.emulator.requestCount).toBe(0);
  });

  it('syncs a signed-in user whom a later guard refuses, and keeps the 403', async () => {
    const running = await start();
    await request(running.getHttpServer()).get('/admin').set(signedInAs(ada)).expect(403);
    await running.get(SupportDeskService).flush();
    expect(syncedIds()).toEqual([ada.id]);
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
});
