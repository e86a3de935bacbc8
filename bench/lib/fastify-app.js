import supportDesk from '@supportdesk/fastify';
import Fastify from 'fastify';
import { BENCH_API_KEY } from './upstream.js';
import { mapUser, sessionLookup } from './users.js';

/**
 * The benchmark app on Fastify 5, shaped like the apps of lib/apps.js: an app-wide `onRequest`
 * hook sets `request.user` from a header or cookie, then `GET /me` answers a small JSON body.
 * - `baseline`: nothing else;
 * - `sync`: the `supportDesk` plugin, registered at the root;
 * - `hook`: an `onResponse` hook that does nothing, the shape of the plugin's: what Fastify's hook
 *   runner costs before the SDK does anything.
 *
 * Resolves to `{ port, flush(), stats(), close() }`. Kept apart from lib/apps.js until the
 * throughput harness lists it with the other frameworks.
 */

const profile = (user) => ({ id: user?.id ?? null, name: user?.name ?? null });

/** The variants the throughput benchmark compares for Fastify; `baseline` first. */
export const fastifyVariants = ['baseline', 'sync', 'hook'];

function doNothingOnResponse(_request, _reply, done) {
  done();
}

/** The Fastify 5 app; `variant` is `baseline`, `sync` or `hook`. */
export async function startFastifyApp({ users, variant, baseUrl }) {
  const lookup = sessionLookup(users);
  const app = Fastify();
  // Declared up front, as @fastify/jwt and @fastify/passport do, so every request has one shape.
  app.decorateRequest('user', null);
  app.addHook('onRequest', (request, _reply, done) => {
    request.user = lookup(request.headers.authorization, request.headers.cookie);
    done();
  });
  if (variant === 'sync') await app.register(supportDesk, { apiKey: BENCH_API_KEY, baseUrl, mapUser });
  if (variant === 'hook') app.addHook('onResponse', doNothingOnResponse);
  app.get('/me', async (request) => profile(request.user));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const sync = variant === 'sync' ? app.supportdesk : undefined;
  return {
    port: app.server.address().port,
    flush: () => sync?.flush(),
    stats: () => sync?.stats(),
    // app.close() stops the server, then flushes and closes the plugin's engine.
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}
