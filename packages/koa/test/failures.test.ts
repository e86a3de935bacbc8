import { describe, expect, it } from 'vitest';
import { API_KEY, emulator, koaVersions, startHarness } from './support/harness.js';

describe.each(koaVersions)('syncCustomers on $name when something fails', ({ Koa }) => {
  it('answers unchanged when getUser throws', async () => {
    const { http, sdk, emulator } = await startHarness(Koa, {
      getUser: () => {
        throw new Error('session store down');
      },
    });

    await http.get('/hello').set('x-user-id', 'user_1').expect(200, { hello: 'Ada Lovelace' });
    await sdk.sync.flush();

    expect(emulator.requestCount).toBe(0);
  });

  it('answers unchanged when mapUser throws', async () => {
    const { http, sdk, emulator } = await startHarness(Koa, {
      mapUser: () => {
        throw new Error('no email column');
      },
    });

    await http.get('/hello').set('x-user-id', 'user_1').expect(200, { hello: 'Ada Lovelace' });
    await sdk.sync.flush();

    expect(emulator.requestCount).toBe(0);
  });

  it.each([
    ['a 500', { status: 500 }],
    ['a 401', { status: 401 }],
  ])('answers unchanged when SupportDesk answers %s', async (_, fault) => {
    const { http, sdk, emulator } = await startHarness(Koa);
    emulator.inject(fault);

    await http.get('/hello').set('x-user-id', 'user_1').expect(200, { hello: 'Ada Lovelace' });
    await sdk.sync.flush();

    expect(emulator.requestCount).toBe(1);
    expect(sdk.sync.stats()).toMatchObject({ synced: 0, failed: 1 });
  });

  it('answers unchanged when SupportDesk is down', async () => {
    const closed = await emulator();
    await closed.close();
    const { http, sdk } = await startHarness(Koa, {}, closed);

    await http.get('/hello').set('x-user-id', 'user_1').expect(200, { hello: 'Ada Lovelace' });
    await sdk.sync.flush();

    expect(sdk.sync.stats()).toMatchObject({ synced: 0, failed: 1 });
  });

  it('answers while SupportDesk is still holding the upsert', async () => {
    const { http, sdk, emulator } = await startHarness(Koa);
    emulator.inject({ latencyMs: 5_000 });

    await http.get('/hello').set('x-user-id', 'user_1').expect(200, { hello: 'Ada Lovelace' });

    expect(emulator.customers(API_KEY)).toEqual([]);
    expect(sdk.sync.stats().synced).toBe(0);
  });

  it('lets ctx.throw(418) downstream reach Koa unchanged and still syncs the user', async () => {
    const { http, sdk, emulator, errors } = await startHarness(Koa);

    await http.get('/teapot').set('x-user-id', 'user_1').expect(418, 'short and stout');
    await sdk.sync.flush();

    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ status: 418, expose: true, message: 'short and stout' });
    expect(emulator.customers(API_KEY).map((customer) => customer.externalId)).toEqual(['user_1']);
  });

  it('lets an Error thrown downstream reach Koa as the same 500 and still syncs the user', async () => {
    const { http, sdk, emulator, errors, boom } = await startHarness(Koa);

    await http.get('/boom').set('x-user-id', 'user_1').expect(500, 'Internal Server Error');
    await sdk.sync.flush();

    expect(errors).toHaveLength(1);
    expect(errors[0]).toBe(boom);
    expect(emulator.customers(API_KEY).map((customer) => customer.externalId)).toEqual(['user_1']);
  });
});
