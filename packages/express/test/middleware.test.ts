import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  API_KEY,
  buildApp,
  frameworks,
  meResponse,
  seedUsers,
  type TestUser,
  useMiddleware,
} from './apps.js';

describe.each(frameworks)('syncCustomers on $name', ({ express }) => {
  const harness = useMiddleware();
  const { create } = harness;
  let users: Map<string, TestUser>;

  beforeEach(() => {
    users = seedUsers();
  });

  it('upserts the logged-in user with exactly the mapped payload', async () => {
    const app = buildApp(express, create(), users);
    await request(app).get('/me').set('x-user', 'user_1').expect(203, meResponse('user_1'));
    await harness.middleware?.sync.flush();
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
    const app = buildApp(express, create(), users);
    await request(app).get('/public').expect(200, { public: true });
    await harness.middleware?.sync.flush();
    expect(harness.emulator.requestCount).toBe(0);
    expect(harness.middleware?.sync.stats().ignored).toBe(1);
  });

  it('sees a user that route-level auth placed after the middleware sets', async () => {
    const app = buildApp(express, create(), users, { auth: 'route' });
    await request(app).get('/me').set('x-user', 'user_2').expect(203, meResponse('user_2'));
    await harness.middleware?.sync.flush();
    expect(harness.emulator.customers(API_KEY).map((customer) => customer.externalId)).toEqual(['user_2']);
  });

  it('sends one upsert for the same user over 20 requests', async () => {
    const app = buildApp(express, create(), users);
    for (let i = 0; i < 20; i++) await request(app).get('/me').set('x-user', 'user_1').expect(203);
    await harness.middleware?.sync.flush();
    expect(harness.emulator.upsertCount('user_1')).toBe(1);
  });

  it('sends one more upsert once the user changes their name', async () => {
    const app = buildApp(express, create(), users);
    await request(app).get('/me').set('x-user', 'user_1').expect(203);
    await harness.middleware?.sync.flush();
    users.set('user_1', { id: 'user_1', email: 'ada@example.com', name: 'Ada King', plan: 'pro' });
    await request(app).get('/me').set('x-user', 'user_1').expect(203);
    await request(app).get('/me').set('x-user', 'user_1').expect(203);
    await harness.middleware?.sync.flush();
    expect(harness.emulator.upsertCount('user_1')).toBe(2);
    expect(harness.emulator.customers(API_KEY)[0]?.name).toBe('Ada King');
  });

  it('sends one upsert for 50 concurrent requests of one user', async () => {
    const agent = request.agent(buildApp(express, create(), users));
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => agent.get('/me').set('x-user', 'user_1')),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(50).fill(203));
    await harness.middleware?.sync.flush();
    expect(harness.emulator.upsertCount('user_1')).toBe(1);
  });

  it('reads the user once per request although both finish and close fire', async () => {
    const getUser = vi.fn((req: { user?: unknown }) => req.user as TestUser | undefined);
    const app = buildApp(express, create({ getUser }), users);
    await request(app).get('/me').set('x-user', 'user_1').expect(203);
    await request(app).get('/public').expect(200);
    await harness.middleware?.sync.flush();
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
      await vi.waitFor(() => expect(harness.emulator.upsertCount('user_1')).toBe(1));
      await harness.middleware?.sync.flush();
      expect(harness.emulator.customers(API_KEY).map((customer) => customer.externalId)).toEqual(['user_1']);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('answers while the upstream is still holding the upsert', async () => {
    harness.emulator.inject({ latencyMs: 5_000 });
    const app = buildApp(express, create({ maxRetries: 0 }), users);
    await request(app).get('/me').set('x-user', 'user_1').expect(203, meResponse('user_1'));
    await vi.waitFor(() => expect(harness.emulator.requestCount).toBe(1));
    expect(harness.emulator.customers(API_KEY)).toEqual([]);
    expect(harness.middleware?.sync.stats().inFlight).toBe(1);
    // Closing the emulator ends the held upsert, so the engine closes without waiting 5 s.
    await harness.emulator.close();
  });

  it('exposes its engine as a read-only middleware.sync', () => {
    const created = create();
    expect(created.sync.stats().synced).toBe(0);
    expect(() => {
      (created as { sync: unknown }).sync = undefined;
    }).toThrow(TypeError);
  });
});
