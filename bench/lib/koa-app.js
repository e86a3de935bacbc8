import { createServer } from 'node:http';
import { syncCustomers } from '@supportdesk/koa';
import Koa from 'koa';
import { closeServer, engineOptions, listen, profile } from './server.js';
import { sessionLookup } from './users.js';

/**
 * The Koa 3 app: an auth middleware sets `ctx.state.user` from the `Authorization` header or the
 * `session` cookie, then `GET /me` answers a small JSON body. `variant` adds one middleware after
 * auth: `baseline` none, `sync` the SDK's `syncCustomers`, `noop-middleware` an async one that
 * only awaits `next()` (the same kind of layer as the SDK's, doing nothing).
 *
 * @param {{ users: object[], variant: string, baseUrl: string }} options
 */
export async function startKoaApp({ users, variant, baseUrl }) {
  const lookup = sessionLookup(users);
  const app = new Koa();
  app.use(async (ctx, next) => {
    ctx.state.user = lookup(ctx.get('authorization') || undefined, ctx.get('cookie') || undefined);
    await next();
  });
  let sync;
  if (variant === 'sync') {
    const middleware = syncCustomers(engineOptions(baseUrl));
    sync = middleware.sync;
    app.use(middleware);
  } else if (variant === 'noop-middleware') {
    app.use(async (_ctx, next) => {
      await next();
    });
  }
  app.use((ctx) => {
    if (ctx.method === 'GET' && ctx.path === '/me') ctx.body = profile(ctx.state.user);
  });
  const server = createServer(app.callback());
  const port = await listen(server);
  return {
    port,
    flush: () => sync?.flush(),
    stats: () => sync?.stats(),
    close: async () => {
      await closeServer(server);
      await sync?.close();
    },
  };
}
