import { randomBytes } from 'node:crypto';
import fastifyJwt from '@fastify/jwt';
import supportDesk from '@supportdesk/fastify';
import Fastify from 'fastify';
import { createUserStore } from './users.js';

/** What SupportDesk receives for one of our users. */
export function mapUser(user) {
  return { externalId: user.id, email: user.email, name: user.name, metadata: { plan: user.plan } };
}

/** Route-level auth: `request.jwtVerify()` sets `request.user` to the token's claims, or answers 401. */
async function requireAuth(request) {
  await request.jwtVerify();
}

/**
 * The demo app: email + password login that hands out a JWT (@fastify/jwt), a profile route, and
 * the `supportDesk` plugin, so every logged-in user who makes a request is synced into SupportDesk.
 *
 * @param syncOptions options of the plugin (apiKey, baseUrl, onSync, …); `mapUser` defaults to {@link mapUser}
 * @returns the Fastify app, ready; `app.supportdesk` is its engine and `app.close()` flushes it
 */
export async function createApp(syncOptions = {}) {
  const users = createUserStore();
  const app = Fastify();

  // A fresh secret per process logs everyone out on restart, which is fine for a demo.
  await app.register(fastifyJwt, {
    secret: process.env.JWT_SECRET ?? randomBytes(32).toString('hex'),
    sign: { expiresIn: '1h' },
  });
  await app.register(supportDesk, {
    mapUser,
    // The token holds only the user's id (`sub`), so the user is looked up when the reply is
    // done: a profile change made by this very request is what gets synced.
    getUser: (request) => (request.user ? users.find(request.user.sub) : undefined),
    ...syncOptions,
  });

  app.get('/', async () => 'Try POST /login, GET /me, POST /profile (see the README).\n');

  // Not synced: a load balancer's probe has no user and should cost nothing.
  app.get('/health', { config: { supportdesk: false } }, async () => ({ ok: true }));

  app.post('/login', async (request, reply) => {
    const { email, password } = request.body ?? {};
    const user = users.verify(email, password);
    if (!user) return reply.code(401).send({ error: 'wrong email or password' });
    // Logged in from now on: this request syncs the user too.
    request.user = { sub: user.id };
    return { token: app.jwt.sign({ sub: user.id }), user };
  });

  app.get('/me', { onRequest: requireAuth }, async (request) => ({ user: users.find(request.user.sub) }));

  app.post('/profile', { onRequest: requireAuth }, async (request, reply) => {
    const result = users.update(request.user.sub, request.body ?? {});
    if (result.error) return reply.code(400).send({ error: result.error });
    return { user: result.user };
  });

  await app.ready();
  return app;
}
