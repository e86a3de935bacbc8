import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Emulator, startEmulator } from '@supportdesk/emulator';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type SyncCustomersMiddleware, type SyncCustomersOptions, syncCustomers } from '../src/index.js';
import { API_KEY, buildApp, frameworks, mapTestUser, meResponse, seedUsers, type TestUser } from './apps.js';

describe.each(frameworks)('syncCustomers on $name', ({ express }) => {
  let emulator: Emulator;
  let users: Map<string, TestUser>;
  let middleware: SyncCustomersMiddleware<TestUser> | undefined;

  beforeEach(async () => {
    emulator = await startEmulator({ port: 0, apiKeys: [API_KEY] });
    users = seedUsers();
  });

  afterEach(async () => {
    await middleware?.sync.close();
    middleware = undefined;
    await emulator.close();
  });

  const create = (options: SyncCustomersOptions<TestUser> = {}) => {
    middleware = syncCustomers<TestUser>({
      apiKey: API_KEY,
      baseUrl: emulator.baseUrl,
      mapUser: mapTestUser,
      ...options,
    });
    return middleware;
  };

  it('upserts the logged-in user with exactly the mapped payload', async () => {
    const app = buildApp(express, create(), users);
    await request(app).get('/me').set('x-user', 'user_1').expect(203, meResponse('user_1'));
    await middleware?.sync.flush();
    expect(
      emulator.requests.map(({ method, path, apiKey, body }) => ({ method, path, apiKey, body })),
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
    const app = buildApp(express, create(), users);
    await request(app).get('/public').expect(200, { public: true });
    await middleware?.sync.flush();
    expect(emulator.requestCount).toBe(0);
    expect(middleware?.sync.stats().ignored).toBe(1);
  });

  it('sees a user that route-level auth placed after the middleware sets', async () => {
    const app = buildApp(express, create(), users, { auth: 'route' });
    await request(app).get('/me').set('x-user', 'user_2').expect(203, meResponse('user_2'));
    await middleware?.sync.flush();
    expect(emulator.customers(API_KEY).map((customer) => customer.externalId)).toEqual(['user_2']);
  });

  it('sends one upsert for the same user over 20 requests', async () => {
    const app = buildApp(express, create(), users);
    for (let i = 0; i < 20; i++) await request(app).get('/me').set('x-user', 'user_1').expect(203);
    await middleware?.sync.flush();
    expect(emulator.upsertCount('user_1')).toBe(1);
  });

  it('sends one more upsert once the user changes their name', async () => {
    const app = buildApp(express, create(), users);
    await request(app).get('/me').set('x-user', 'user_1').expect(203);
    await middleware?.sync.flush();
    users.set('user_1', { id: 'user_1', email: 'ada@example.com', name: 'Ada King', plan: 'pro' });
    await request(app).get('/me').set('x-user', 'user_1').expect(203);
    await request(app).get('/me').set('x-user', 'user_1').expect(203);
    await middleware?.sync.flush();
    expect(emulator.upsertCount('user_1')).toBe(2);
    expect(emulator.customers(API_KEY)[0]?.name).toBe('Ada King');
  });

  it('sends one upsert for 50 concurrent requests of one user', async () => {
    const agent = request.agent(buildApp(express, create(), users));
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => agent.get('/me').set('x-user', 'user_1')),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(50).fill(203));
    await middleware?.sync.flush();
    expect(emulator.upsertCount('user_1')).toBe(1);
  });

  it('reads the user once per request although both finish and close fire', async () => {
    const getUser = vi.fn((req: { user?: unknown }) => req.user as TestUser | undefined);
    const app = buildApp(express, create({ getUser }), users);
    await request(app).get('/me').set('x-user', 'user_1').expect(203);
    await request(app).get('/public').expect(200);
    await middleware?.sync.flush();
    expect(getUser).toHaveBeenCalledTimes(2);
  });

  it('syncs the user of a request the client aborted before the response', async () => {
    const app = express();
    let entered!: () => void;
    const handlerEntered = new Promise<void>((resolve) => {
      entered = resolve;
    });
    app.use(create());
    // The route authenticates and then never answers, as a slow handler would.
    app.get('/slow', (req, _res) => {
      req.user = users.get('user_1');
      entered();
    });
    const server = app.listen(0, '127.0.0.1');
    try {
      await new Promise<void>((resolve) => server.once('listening', () => resolve()));
      const { port } = server.address() as AddressInfo;
      const client = httpRequest({ host: '127.0.0.1', port, path: '/slow' });
      client.on('error', () => {});
      client.end();
      await handlerEntered;
      client.destroy();
      await vi.waitFor(() => expect(emulator.upsertCount('user_1')).toBe(1));
      await middleware?.sync.flush();
      expect(emulator.customers(API_KEY).map((customer) => customer.externalId)).toEqual(['user_1']);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('answers while the upstream is still holding the upsert', async () => {
    emulator.inject({ latencyMs: 5_000 });
    const app = buildApp(express, create({ maxRetries: 0 }), users);
    await request(app).get('/me').set('x-user', 'user_1').expect(203, meResponse('user_1'));
    await vi.waitFor(() => expect(emulator.requestCount).toBe(1));
    expect(emulator.customers(API_KEY)).toEqual([]);
    expect(middleware?.sync.stats().inFlight).toBe(1);
    // Closing the emulator ends the held upsert, so the engine closes without waiting 5 s.
    await emulator.close();
  });

  it('exposes its engine as a read-only middleware.sync', () => {
    const created = create();
    expect(created.sync.stats().synced).toBe(0);
    expect(() => {
      (created as { sync: unknown }).sync = undefined;
    }).toThrow(TypeError);
  });
});
