import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { API_KEY, authenticate, buildApp, frameworks, meResponse, seedUsers, useMiddleware } from './apps.js';

// The upstream answers slowly, so a response that did not wait for the sync would arrive
// before the customer exists.
const UPSTREAM_LATENCY_MS = 300;

describe.each(frameworks)('awaitSync on $name', ({ express }) => {
  const harness = useMiddleware({ awaitSync: true });
  const { create } = harness;

  beforeEach(() => {
    harness.emulator.inject({ latencyMs: UPSTREAM_LATENCY_MS });
  });

  it('answers once the customer exists at SupportDesk', async () => {
    const app = buildApp(express, create(), seedUsers());
    await request(app).get('/me').set('x-user', 'user_1').expect(203, meResponse('user_1'));
    expect(harness.emulator.customers(API_KEY).map((customer) => customer.name)).toEqual(['Ada Lovelace']);
  });

  it('waits for a user that route-level auth placed after the middleware sets', async () => {
    const app = buildApp(express, create(), seedUsers(), { auth: 'route' });
    await request(app).get('/me').set('x-user', 'user_2').expect(203, meResponse('user_2'));
    expect(harness.emulator.customers(API_KEY).map((customer) => customer.externalId)).toEqual(['user_2']);
  });

  it('passes a streamed response through with its status, headers and every chunk', async () => {
    const app = express();
    app.use(authenticate(seedUsers()), create());
    app.get('/stream', (_req, res) => {
      res.status(201).set('content-type', 'text/plain').set('x-stream', 'yes');
      res.write('one,');
      res.write('two,');
      res.end('three');
    });
    const response = await request(app).get('/stream').set('x-user', 'user_1');
    expect({ status: response.status, stream: response.headers['x-stream'], text: response.text }).toEqual({
      status: 201,
      stream: 'yes',
      text: 'one,two,three',
    });
    expect(harness.emulator.customers(API_KEY)).toHaveLength(1);
  });

  it('answers after awaitSyncTimeoutMs while SupportDesk rate-limits for 30 s', async () => {
    harness.emulator.reset();
    harness.emulator.inject({ status: 429, retryAfter: 30 });
    const middleware = create({ awaitSyncTimeoutMs: 200, onError: () => {} });
    const app = buildApp(express, middleware, seedUsers());
    const startedAt = Date.now();
    await request(app).get('/me').set('x-user', 'user_1').expect(203, meResponse('user_1'));
    // A bound, not a benchmark: well under the 30 s pause, whatever the machine's load.
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(middleware.sync.stats().queued).toBe(1);
    // The queued sync would hold close() until its deadline: give it none.
    await middleware.sync.close(0);
  });

  it('still answers unchanged when the sync fails', async () => {
    harness.emulator.reset();
    harness.emulator.inject({ status: 500 });
    const app = buildApp(express, create({ maxRetries: 0, onError: () => {} }), seedUsers());
    await request(app).get('/me').set('x-user', 'user_1').expect(203, meResponse('user_1'));
    expect(harness.middleware?.sync.stats().failed).toBe(1);
  });
});
