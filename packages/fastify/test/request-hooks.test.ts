import { beforeEach, describe, expect, it, vi } from 'vitest';
import { supportDesk } from '../src/index.js';
import {
  API_KEY,
  authenticate,
  frameworks,
  meResponse,
  seedUsers,
  type TestUser,
  usePlugin,
  userOf,
} from './support/apps.js';

describe.each(frameworks)('reading the user on $name', ({ fastify }) => {
  const harness = usePlugin();
  let users: Map<string, TestUser>;

  beforeEach(() => {
    users = seedUsers();
  });

  it('upserts the logged-in user with exactly the mapped payload', async () => {
    const app = await harness.start(fastify, {}, { users });
    const response = await app.inject({ url: '/me', headers: { 'x-user': 'user_1' } });
    expect(response.statusCode).toBe(203);
    expect(response.json()).toEqual(meResponse('user_1'));
    await app.supportdesk.flush();
    expect(
      harness.emulator.requests.map(({ method, path, apiKey, body }) => ({ method, path, apiKey, body })),
    ).toEqual([
      {
        method: 'PATCH',
        path: '/api/v1/customers/user_1',
        apiKey: API_KEY,
        body: { email: 'ada@example.com', name: 'Ada Lovelace', metadata: { plan: 'pro' } },
      },
    ]);
  });

  it('sends nothing for an anonymous request', async () => {
    const app = await harness.start(fastify);
    expect((await app.inject('/public')).json()).toEqual({ public: true });
    await app.supportdesk.flush();
    expect(harness.emulator.requestCount).toBe(0);
    expect(app.supportdesk.stats().ignored).toBe(1);
  });

  it("sees a user that a route's preHandler sets after the plugin ran its hooks", async () => {
    const app = await harness.start(fastify, {}, { users, auth: 'route' });
    const response = await app.inject({ url: '/me', headers: { 'x-user': 'user_2' } });
    expect(response.json()).toEqual(meResponse('user_2'));
    await app.supportdesk.flush();
    expect(harness.emulator.customers(API_KEY).map((customer) => customer.externalId)).toEqual(['user_2']);
  });

  it('syncs the user of a request whose handler throws, and keeps Fastify’s error reply', async () => {
    const app = await harness.start(fastify, {}, { users });
    const response = await app.inject({ url: '/boom', headers: { 'x-user': 'user_1' } });
    expect({ status: response.statusCode, body: response.json() }).toEqual({
      status: 500,
      body: { statusCode: 500, error: 'Internal Server Error', message: 'boom' },
    });
    await app.supportdesk.flush();
    expect(harness.emulator.upsertCount('user_1')).toBe(1);
  });

  it('syncs the user of a request that matched no route', async () => {
    const app = await harness.start(fastify, {}, { users });
    const response = await app.inject({ url: '/no-such-route', headers: { 'x-user': 'user_1' } });
    expect(response.statusCode).toBe(404);
    await app.supportdesk.flush();
    expect(harness.emulator.upsertCount('user_1')).toBe(1);
  });

  it('sends one upsert for the same user over 20 requests', async () => {
    const app = await harness.start(fastify, {}, { users });
    for (let i = 0; i < 20; i++) await app.inject({ url: '/me', headers: { 'x-user': 'user_1' } });
    await app.supportdesk.flush();
    expect(harness.emulator.upsertCount('user_1')).toBe(1);
  });

  it('sends one more upsert once the user changes their name', async () => {
    const app = await harness.start(fastify, {}, { users });
    await app.inject({ url: '/me', headers: { 'x-user': 'user_1' } });
    await app.supportdesk.flush();
    users.set('user_1', { id: 'user_1', email: 'ada@example.com', name: 'Ada King', plan: 'pro' });
    await app.inject({ url: '/me', headers: { 'x-user': 'user_1' } });
    await app.inject({ url: '/me', headers: { 'x-user': 'user_1' } });
    await app.supportdesk.flush();
    expect(harness.emulator.upsertCount('user_1')).toBe(2);
    expect(harness.emulator.customers(API_KEY)[0]?.name).toBe('Ada King');
  });

  it('sends one upsert for 50 concurrent requests of one user', async () => {
    const app = await harness.start(fastify, {}, { users });
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => app.inject({ url: '/me', headers: { 'x-user': 'user_1' } })),
    );
    expect(responses.map((response) => response.statusCode)).toEqual(Array(50).fill(203));
    await app.supportdesk.flush();
    expect(harness.emulator.upsertCount('user_1')).toBe(1);
  });

  it('calls getUser once per request, with the request and its sent reply', async () => {
    const seen: [string, number, boolean][] = [];
    const getUser = vi.fn((request, reply) => {
      seen.push([request.url, reply.statusCode, reply.sent]);
      return userOf(request);
    });
    const app = await harness.start(fastify, { getUser }, { users });
    await app.inject({ url: '/me', headers: { 'x-user': 'user_1' } });
    await app.inject('/public');
    await app.supportdesk.flush();
    expect(seen).toEqual([
      ['/me', 203, true],
      ['/public', 200, true],
    ]);
    expect(harness.emulator.upsertCount('user_1')).toBe(1);
  });

  it('answers while the upstream is still holding the upsert', async () => {
    harness.emulator.inject({ latencyMs: 5_000 });
    const app = await harness.start(fastify, { maxRetries: 0, onError: () => {} }, { users });
    const response = await app.inject({ url: '/me', headers: { 'x-user': 'user_1' } });
    expect(response.json()).toEqual(meResponse('user_1'));
    await vi.waitFor(() => expect(harness.emulator.requestCount).toBe(1));
    expect(harness.emulator.customers(API_KEY)).toEqual([]);
    expect(app.supportdesk.stats().inFlight).toBe(1);
    // Closing the emulator ends the held upsert, so the engine closes without waiting 5 s.
    await harness.emulator.close();
  });
});

describe.each(frameworks)('a user set by @fastify/jwt on $name', ({ fastify, jwt }) => {
  const harness = usePlugin({ mapUser: undefined });

  it('syncs the verified token’s user with the default getUser and mapping', async () => {
    const app = harness.track(fastify());
    await app.register(jwt, { secret: 'a-test-secret-of-some-length' });
    await app.register(supportDesk, harness.options({ mapUser: undefined }));
    app.get('/me', { onRequest: (request) => request.jwtVerify() }, async (request) => request.user);
    await app.ready();
    const token = app.jwt.sign({ sub: 'jwt_1', email: 'grace@example.com', name: 'Grace Hopper' });

    const response = await app.inject({ url: '/me', headers: { authorization: `Bearer ${token}` } });
    expect(response.json()).toMatchObject({ sub: 'jwt_1' });
    await app.supportdesk.flush();
    expect(harness.emulator.customers(API_KEY)).toMatchObject([
      { externalId: 'jwt_1', email: 'grace@example.com', name: 'Grace Hopper' },
    ]);
  });

  it('sends nothing for a request whose token does not verify', async () => {
    const app = harness.track(fastify());
    await app.register(jwt, { secret: 'a-test-secret-of-some-length' });
    await app.register(supportDesk, harness.options({ mapUser: undefined }));
    app.get('/me', { onRequest: (request) => request.jwtVerify() }, async (request) => request.user);
    const response = await app.inject({ url: '/me', headers: { authorization: 'Bearer not.a.token' } });
    expect(response.statusCode).toBe(401);
    await app.supportdesk.flush();
    expect(harness.emulator.requestCount).toBe(0);
  });
});

describe.each(frameworks)('a listening $name server', ({ fastify }) => {
  const harness = usePlugin();

  it('syncs the user of a request that came over HTTP', async () => {
    const app = await harness.start(fastify);
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const response = await fetch(`${url}/me`, { headers: { 'x-user': 'user_2' } });
    expect({ status: response.status, body: await response.json() }).toEqual({
      status: 203,
      body: meResponse('user_2'),
    });
    await vi.waitFor(() => expect(app.supportdesk.stats().synced).toBe(1));
    expect(harness.emulator.customers(API_KEY).map((customer) => customer.externalId)).toEqual(['user_2']);
  });
});

// The upstream answers slowly, so a reply that did not wait for the sync would arrive before
// the customer exists.
const UPSTREAM_LATENCY_MS = 300;

describe.each(frameworks)('awaitSync on $name', ({ fastify }) => {
  const harness = usePlugin({ awaitSync: true });

  beforeEach(() => {
    harness.emulator.inject({ latencyMs: UPSTREAM_LATENCY_MS });
  });

  it('answers once the customer exists at SupportDesk', async () => {
    const app = await harness.start(fastify);
    const response = await app.inject({ url: '/me', headers: { 'x-user': 'user_1' } });
    expect(response.json()).toEqual(meResponse('user_1'));
    expect(harness.emulator.customers(API_KEY).map((customer) => customer.name)).toEqual(['Ada Lovelace']);
  });

  it('waits for a user that a route’s preHandler sets after the plugin', async () => {
    const app = await harness.start(fastify, {}, { auth: 'route' });
    const response = await app.inject({ url: '/me', headers: { 'x-user': 'user_2' } });
    expect(response.json()).toEqual(meResponse('user_2'));
    expect(harness.emulator.customers(API_KEY).map((customer) => customer.externalId)).toEqual(['user_2']);
  });

  it('lets the reply go after awaitSyncTimeoutMs while SupportDesk rate-limits for 30 s', async () => {
    harness.emulator.reset();
    harness.emulator.inject({ status: 429, retryAfter: 30 });
    const app = await harness.start(fastify, { awaitSyncTimeoutMs: 200 });
    const startedAt = Date.now();
    const response = await app.inject({ url: '/me', headers: { 'x-user': 'user_1' } });
    expect(response.json()).toEqual(meResponse('user_1'));
    // The bound is the point of the option: well under the 30 s pause, whatever the machine's load.
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(app.supportdesk.stats().queued).toBe(1);
  });

  it('holds an error reply too, and passes it on unchanged', async () => {
    const app = await harness.start(fastify);
    const response = await app.inject({ url: '/boom', headers: { 'x-user': 'user_1' } });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toMatchObject({ message: 'boom' });
    expect(harness.emulator.customers(API_KEY)).toHaveLength(1);
  });

  it('reads the user once when a later onSend hook fails and Fastify sends the error instead', async () => {
    const getUser = vi.fn(userOf);
    const app = harness.track(fastify());
    app.addHook('onRequest', authenticate(seedUsers()));
    await app.register(supportDesk<TestUser>, harness.options({ getUser }));
    app.addHook('onSend', async () => {
      throw new Error('compression failed');
    });
    app.get('/me', async () => 'me');
    const response = await app.inject({ url: '/me', headers: { 'x-user': 'user_1' } });
    expect(response.statusCode).toBe(500);
    await app.supportdesk.flush();
    expect(getUser).toHaveBeenCalledTimes(1);
    expect(harness.emulator.upsertCount('user_1')).toBe(1);
  });

  it('syncs the user of a hijacked reply, which skips onSend, once it is done', async () => {
    const app = harness.track(fastify());
    app.addHook('onRequest', authenticate(seedUsers()));
    await app.register(supportDesk<TestUser>, harness.options());
    app.get('/raw', (_request, reply) => {
      reply.hijack();
      reply.raw.end('raw');
    });
    const response = await app.inject({ url: '/raw', headers: { 'x-user': 'user_1' } });
    expect(response.body).toBe('raw');
    await app.supportdesk.flush();
    expect(harness.emulator.upsertCount('user_1')).toBe(1);
  });

  it('still answers unchanged when the sync fails', async () => {
    harness.emulator.reset();
    harness.emulator.inject({ status: 500 });
    const app = await harness.start(fastify, { maxRetries: 0, onError: () => {} });
    const response = await app.inject({ url: '/me', headers: { 'x-user': 'user_1' } });
    expect({ status: response.statusCode, body: response.json() }).toEqual({
      status: 203,
      body: meResponse('user_1'),
    });
    expect(app.supportdesk.stats().failed).toBe(1);
  });
});
