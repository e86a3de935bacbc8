import { once } from 'node:events';
import http from 'node:http';
import Router from '@koa/router';
import { type Emulator, startEmulator } from '@supportdesk/emulator';
import Koa3, { type Context } from 'koa';
import Koa2 from 'koa2';
import request from 'supertest';
import { afterEach } from 'vitest';
import { type SyncCustomersMiddleware, type SyncCustomersOptions, syncCustomers } from '../../src/index.js';

/** Every Koa major the adapter supports, for `describe.each`. */
export const koaVersions = [
  { name: 'Koa 2', Koa: Koa2 },
  { name: 'Koa 3', Koa: Koa3 },
] as const;

export type KoaClass = typeof Koa3;

export const API_KEY = 'sd_test_koa_key';

export interface DemoUser {
  id: string;
  email: string;
  name: string;
  plan: string;
}

export const mapUser = (user: DemoUser) => ({
  externalId: user.id,
  email: user.email,
  name: user.name,
  metadata: { plan: user.plan },
});

const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Runs `cleanup` after the current test, in the order registered. */
export function onCleanup(cleanup: () => Promise<unknown>): void {
  cleanups.push(cleanup);
}

/** Starts an emulator on loopback that is closed after the test. */
export async function emulator(): Promise<Emulator> {
  const started = await startEmulator({ port: 0 });
  onCleanup(() => started.close());
  return started;
}

/**
 * A real Koa app: the SDK first, then app-level auth (reads `x-user-id`), then routes, one of
 * which has its own auth (reads `x-route-user-id`). Koa's `error` events land in `errors`;
 * `boom` is what `/boom` throws, so a test can check that this very error reaches Koa.
 */
export function buildApp(
  Koa: KoaClass,
  sdk: SyncCustomersMiddleware<DemoUser, Context>,
  users: Map<string, DemoUser>,
) {
  const app = new Koa();
  const errors: unknown[] = [];
  const boom = new Error('boom');
  app.on('error', (error: unknown) => errors.push(error));
  app.use(sdk);
  app.use(async (ctx, next) => {
    const user = users.get(ctx.get('x-user-id'));
    if (user) ctx.state.user = user;
    await next();
  });
  const router = new Router();
  router.get('/hello', (ctx) => {
    ctx.body = { hello: (ctx.state.user as DemoUser | undefined)?.name ?? 'stranger' };
  });
  router.get(
    '/account',
    async (ctx, next) => {
      const user = users.get(ctx.get('x-route-user-id'));
      if (!user) ctx.throw(401);
      ctx.state.user = user;
      await next();
    },
    (ctx) => {
      ctx.body = { account: (ctx.state.user as DemoUser).id };
    },
  );
  router.get('/teapot', (ctx) => ctx.throw(418, 'short and stout'));
  router.get('/boom', () => {
    throw boom;
  });
  app.use(router.routes());
  return { app, errors, boom };
}

export interface Harness {
  emulator: Emulator;
  sdk: SyncCustomersMiddleware<DemoUser, Context>;
  users: Map<string, DemoUser>;
  errors: unknown[];
  boom: Error;
  http: ReturnType<typeof request>;
}

/**
 * An emulator, a `syncCustomers` middleware pointed at it (no client retries, so failures are
 * final at once) and the app above listening on 127.0.0.1, all closed after the test.
 */
export async function startHarness(
  Koa: KoaClass,
  options: SyncCustomersOptions<DemoUser, Context> = {},
  upstream?: Emulator,
): Promise<Harness> {
  const upstreamEmulator = upstream ?? (await emulator());
  // A shared engine brings its own settings: engine options next to `sync` are a config error.
  const engineDefaults = options.sync
    ? {}
    : { apiKey: API_KEY, baseUrl: upstreamEmulator.baseUrl, maxRetries: 0, mapUser };
  const sdk = syncCustomers<DemoUser, Context>({ ...engineDefaults, ...options });
  const users = new Map<string, DemoUser>([
    ['user_1', { id: 'user_1', email: 'ada@example.com', name: 'Ada Lovelace', plan: 'pro' }],
    ['user_2', { id: 'user_2', email: 'alan@example.com', name: 'Alan Turing', plan: 'free' }],
  ]);
  const { app, errors, boom } = buildApp(Koa, sdk, users);
  const server = await listen(app.callback());
  onCleanup(async () => {
    server.closeAllConnections();
    server.close();
    await sdk.sync.close();
  });
  return { emulator: upstreamEmulator, sdk, users, errors, boom, http: request(server) };
}

/** An HTTP server on 127.0.0.1 and a random port. */
export async function listen(handler: http.RequestListener): Promise<http.Server> {
  const server = http.createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}
