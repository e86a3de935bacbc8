import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { supportDesk } from '../src/index.js';
import { authenticate, frameworks, seedUsers, type TestUser, usePlugin } from './support/apps.js';

describe.each(frameworks)('config: { supportdesk: false } on $name', ({ fastify }) => {
  const harness = usePlugin();

  const startApp = async () => {
    const app = harness.track(fastify());
    app.addHook('onRequest', authenticate(seedUsers()));
    await app.register(supportDesk<TestUser>, harness.options());
    return app;
  };

  it('leaves the requests of that route alone: the user is not even read', async () => {
    const app = await harness.start(fastify);
    const response = await app.inject({ url: '/health', headers: { 'x-user': 'user_1' } });
    expect(response.body).toBe('up');
    await app.supportdesk.flush();
    expect(harness.emulator.requestCount).toBe(0);
    expect(app.supportdesk.stats()).toMatchObject({ synced: 0, skipped: 0, ignored: 0, invalid: 0 });
  });

  it('skips the HEAD route Fastify adds for that GET route', async () => {
    const app = await harness.start(fastify);
    const response = await app.inject({ method: 'HEAD', url: '/health', headers: { 'x-user': 'user_1' } });
    expect(response.statusCode).toBe(200);
    await app.supportdesk.flush();
    expect(harness.emulator.requestCount).toBe(0);
  });

  it('still syncs the routes without it, and those with supportdesk: true', async () => {
    const app = await startApp();
    app.get('/on', { config: { supportdesk: true } }, async () => 'on');
    app.get('/other-config', { config: { rateLimit: 10 } as object }, async () => 'other');
    await app.inject({ url: '/on', headers: { 'x-user': 'user_1' } });
    await app.inject({ url: '/other-config', headers: { 'x-user': 'user_2' } });
    await app.supportdesk.flush();
    expect(harness.emulator.upsertCount('user_1')).toBe(1);
    expect(harness.emulator.upsertCount('user_2')).toBe(1);
  });

  it('skips such a route in a child context too', async () => {
    const app = await startApp();
    await app.register(async (child) => {
      child.get('/webhook', { config: { supportdesk: false } }, async () => 'received');
    });
    await app.inject({ method: 'GET', url: '/webhook', headers: { 'x-user': 'user_1' } });
    await app.supportdesk.flush();
    expect(harness.emulator.requestCount).toBe(0);
  });

  it.each([
    ['one function', (hook: (request: FastifyRequest, reply: FastifyReply) => Promise<void>) => hook],
    ['an array', (hook: (request: FastifyRequest, reply: FastifyReply) => Promise<void>) => [hook]],
  ])("keeps the route's own onRequest hooks, given as %s", async (_shape, shape) => {
    const app = await startApp();
    const ran: string[] = [];
    app.get(
      '/hooked',
      {
        config: { supportdesk: false },
        onRequest: shape(async (request) => {
          ran.push(request.url);
        }),
      },
      async () => 'hooked',
    );
    await app.inject({ url: '/hooked', headers: { 'x-user': 'user_1' } });
    await app.supportdesk.flush();
    expect(ran).toEqual(['/hooked']);
    expect(harness.emulator.requestCount).toBe(0);
  });

  it('does not hold the reply of a skipped route with awaitSync', async () => {
    harness.emulator.inject({ latencyMs: 5_000 });
    const app = await harness.start(fastify, { awaitSync: true });
    expect((await app.inject({ url: '/health', headers: { 'x-user': 'user_1' } })).body).toBe('up');
    expect(harness.emulator.requestCount).toBe(0);
  });
});
