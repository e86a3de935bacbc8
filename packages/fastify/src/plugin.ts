import { type CustomerSync, createSyncAdapter, SupportDeskConfigError } from '@supportdesk/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { version } from '../package.json';
import type { RequestUser, SupportDeskOptions } from './options.js';
import { createRequestHooks } from './request-hooks.js';
import { skipRoutesConfiguredOff } from './route-skip.js';

/**
 * The type of {@link supportDesk}: a Fastify plugin. `mapUser` receives the type of `request.user`
 * your auth plugin declares ({@link RequestUser}); `supportDesk<AppUser>` names another.
 */
export interface SupportDeskPlugin {
  <TUser>(app: FastifyInstance, options: SupportDeskOptions<TUser>): Promise<void>;
  (app: FastifyInstance, options: SupportDeskOptions): Promise<void>;
}

const readRequestUser = (request: FastifyRequest): unknown => (request as { user?: unknown }).user;

/** How long app.close() waits for a shared engine's pending syncs, as close() waits for its own. */
const SHARED_FLUSH_MS = 10_000;

/** Waits for `sync.flush()`, at most `timeoutMs`: a hung upstream must not hold app.close() forever. */
async function flushWithin(sync: CustomerSync, timeoutMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  try {
    await Promise.race([sync.flush(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

// Fastify's own register options: Fastify reads them, and they mean nothing to an engine.
const REGISTER_OPTIONS: ReadonlySet<string> = new Set(['prefix', 'logLevel', 'logSerializers']);

function adapterOptions(options: unknown): unknown {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return options;
  return Object.fromEntries(Object.entries(options).filter(([key]) => !REGISTER_OPTIONS.has(key)));
}

async function registerSupportDesk(
  app: FastifyInstance,
  options: SupportDeskOptions<unknown>,
): Promise<void> {
  // Checked first, so a refused second registration builds no engine to leave open.
  if (app.hasDecorator('supportdesk'))
    throw new SupportDeskConfigError(
      'supportDesk is already registered on this app (or a parent of it): register it once, on the root instance',
    );
  const adapter = createSyncAdapter<unknown, [request: FastifyRequest, reply: FastifyReply]>(
    adapterOptions(options) as SupportDeskOptions<unknown> | undefined,
    readRequestUser,
    `supportdesk-fastify/${version}`,
    'supportDesk (@supportdesk/fastify)',
  );
  // An engine handed in through `sync` belongs to the app, which may share it: flush it, leave it open.
  const ownsEngine = options?.sync === undefined;

  app.decorate('supportdesk', adapter.sync as CustomerSync);
  app.addHook('onRoute', skipRoutesConfiguredOff);
  const hooks = createRequestHooks(adapter);
  if (hooks.onSend) app.addHook('onSend', hooks.onSend);
  app.addHook('onResponse', hooks.onResponse);
  // onClose runs once the server has stopped and its last replies are done, so every request
  // that was answered has already asked for its sync.
  app.addHook('onClose', async () => {
    try {
      if (ownsEngine) await adapter.sync.close();
      else await flushWithin(adapter.sync, SHARED_FLUSH_MS);
    } catch (error) {
      // A throwing onClose hook makes app.close() reject: the SDK must not break the host.
      app.log.warn(`SupportDesk: could not finish pending customer syncs: ${String(error)}`);
    }
  });
}

/**
 * Fastify plugin (Fastify 4 and 5) that syncs the logged-in user of each request into
 * SupportDesk. Wrapped with `fastify-plugin`, so registered on the root instance it covers the
 * whole app, child contexts included. The user is read in `onResponse`, once the reply is sent,
 * so auth that runs later than the plugin (a route's `onRequest` or `preHandler`) is still seen,
 * and nothing the SDK does delays or fails a reply. With `awaitSync`, it is read in `onSend` and
 * the reply waits for the sync.
 *
 * Decorates `app.supportdesk` with the engine; `app.close()` flushes it and closes it (an engine
 * passed as `sync` is flushed and left open). A route with `config: { supportdesk: false }` is
 * skipped.
 *
 * @throws SupportDeskConfigError from `register` / `ready` when an option is invalid, the API key
 * is missing in production, or the plugin is registered twice on one app.
 * @example
 * import Fastify from 'fastify';
 * import fastifyJwt from '@fastify/jwt';
 * import supportDesk from '@supportdesk/fastify';
 *
 * const app = Fastify();
 * await app.register(fastifyJwt, { secret: process.env.JWT_SECRET as string });
 * await app.register(supportDesk, {
 *   mapUser: (user) => ({ externalId: user.sub, email: user.email, name: user.name }),
 * });
 * app.get('/me', { onRequest: (request) => request.jwtVerify() }, async (request) => request.user);
 * app.get('/health', { config: { supportdesk: false } }, async () => 'ok');
 */
export const supportDesk = fastifyPlugin(registerSupportDesk, {
  fastify: '4.x || 5.x',
  name: '@supportdesk/fastify',
}) as SupportDeskPlugin;
