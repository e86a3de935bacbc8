import { describe, expect, it } from 'vitest';
import { API_KEY, koaVersions, startHarness } from './support/harness.js';

describe.each(koaVersions)('syncCustomers on $name', ({ Koa }) => {
  it('sends the logged-in user to SupportDesk with the mapped body', async () => {
    const { http, sdk, emulator } = await startHarness(Koa);

    await http.get('/hello').set('x-user-id', 'user_1').expect(200, { hello: 'Ada Lovelace' });
    await sdk.sync.flush();

    expect(emulator.requests).toHaveLength(1);
    expect(emulator.requests[0]).toMatchObject({
      method: 'PATCH',
      externalId: 'user_1',
      apiKey: API_KEY,
      body: { email: 'ada@example.com', name: 'Ada Lovelace', metadata: { plan: 'pro' } },
    });
    expect(emulator.customers(API_KEY)).toMatchObject([{ externalId: 'user_1', name: 'Ada Lovelace' }]);
  });

  it('ignores an anonymous request', async () => {
    const { http, sdk, emulator } = await startHarness(Koa);

    await http.get('/hello').expect(200, { hello: 'stranger' });
    await sdk.sync.flush();

    expect(emulator.requestCount).toBe(0);
  });

  it('sees a user set by auth mounted after the middleware', async () => {
    const { http, sdk, emulator } = await startHarness(Koa);

    await http.get('/hello').set('x-user-id', 'user_2').expect(200);
    await sdk.sync.flush();

    expect(emulator.customers(API_KEY).map((customer) => customer.externalId)).toEqual(['user_2']);
  });

  it('sees a user set by auth on the matched route', async () => {
    const { http, sdk, emulator } = await startHarness(Koa);

    await http.get('/account').set('x-route-user-id', 'user_1').expect(200, { account: 'user_1' });
    await sdk.sync.flush();

    expect(emulator.customers(API_KEY).map((customer) => customer.externalId)).toEqual(['user_1']);
  });

  it('reads the user with a custom async getUser', async () => {
    const { http, sdk, emulator } = await startHarness(Koa, {
      getUser: async (ctx) => {
        const id = ctx.get('x-service-account');
        return id ? { id, email: `${id}@example.com`, name: 'Service account', plan: 'internal' } : undefined;
      },
    });

    await http.get('/hello').set('x-service-account', 'svc_1').expect(200, { hello: 'stranger' });
    await sdk.sync.flush();

    expect(emulator.customers(API_KEY).map((customer) => customer.externalId)).toEqual(['svc_1']);
  });

  it('upserts a user seen on 20 requests once', async () => {
    const { http, sdk, emulator } = await startHarness(Koa);

    for (let i = 0; i < 20; i++) await http.get('/hello').set('x-user-id', 'user_1').expect(200);
    await sdk.sync.flush();

    expect(emulator.requestCount).toBe(1);
  });

  it('upserts once more after the user changes their name', async () => {
    const { http, sdk, emulator, users } = await startHarness(Koa);
    await http.get('/hello').set('x-user-id', 'user_1').expect(200);
    await sdk.sync.flush();

    users.set('user_1', { id: 'user_1', email: 'ada@example.com', name: 'Ada King', plan: 'pro' });
    await http.get('/hello').set('x-user-id', 'user_1').expect(200, { hello: 'Ada King' });
    await http.get('/hello').set('x-user-id', 'user_1').expect(200);
    await sdk.sync.flush();

    expect(emulator.requestCount).toBe(2);
    expect(emulator.requests[1]?.body).toMatchObject({ name: 'Ada King' });
  });

  it('upserts a user seen on 50 concurrent requests once', async () => {
    const { http, sdk, emulator } = await startHarness(Koa);

    const responses = await Promise.all(
      Array.from({ length: 50 }, () => http.get('/hello').set('x-user-id', 'user_1')),
    );
    await sdk.sync.flush();

    expect(responses.map((response) => response.status)).toEqual(Array(50).fill(200));
    expect(emulator.requestCount).toBe(1);
  });
});
