import supportDesk from '@supportdesk/fastify';
import Fastify from 'fastify';
import { engineOptions, profile } from './server.js';
import { sessionLookup } from './users.js';

function doNothingOnResponse(_request, _reply, done) {
  done();
}

/**
 * The Fastify 5 app: an app-wide `onRequest` hook sets `request.user` from the `Authorization`
 * header or the `session` cookie, then `GET /me` answers a small JSON body. `variant`:
 * - `baseline`: nothing else;
 * - `sync`: the `supportDesk` plugin, registered at the root;
 * - `noop-hook`: an `onResponse` hook that does nothing, the shape of the plugin's: what
 *   Fastify's hook runner costs before the SDK does anything.
 *
 * @param {{ users: object[], variant: string, baseUrl: string }} options
 */
export async function startFastifyApp({ users, variant, baseUrl }) {
  const lookup = sessionLookup(users);
  const app = Fastify();
  // Declared up front, as @fastify/jwt and @fastify/passport do, so every request has one shape.
  app.decorateRequest('user', null);
  app.addHook('onRequest', (request, _reply, done) => {
    request.user = lookup(request.headers.authorization, request.headers.cookie);
    done();
  });
  if (variant === 'sync') await app.register(supportDesk, engineOptions(baseUrl));
  if (variant === 'noop-hook') app.addHook('onResponse', doNothingOnResponse);
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
