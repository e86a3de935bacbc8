import type { AdapterOptions, CustomerSync, MappedCustomer } from '@supportdesk/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The type of `request.user` when an auth plugin declares one (`@fastify/jwt`, `@fastify/passport`),
 * else `unknown`: what `mapUser` receives unless you name your user type.
 */
export type RequestUser = FastifyRequest extends { user?: infer User } ? User : unknown;

/**
 * Options of the {@link supportDesk} plugin: every `CustomerSync` option (`apiKey`, `mapUser`,
 * `ttlMs`, ...), or `sync` to share one engine, plus `getUser` and `awaitSync`.
 */
export interface SupportDeskOptions<TUser = RequestUser>
  extends AdapterOptions<TUser, [request: FastifyRequest, reply: FastifyReply]> {
  /**
   * Reads the user of a request once its reply is done (`onResponse`; `onSend` with `awaitSync`).
   * May return a promise; return `null` or `undefined` for an anonymous request.
   * @default (request) => request.user
   */
  getUser?: ((request: FastifyRequest, reply: FastifyReply) => unknown) | undefined;
  /**
   * Turns your user into the customer to upsert. May be async; return `null` or `undefined` for a
   * user that should not be synced. A method, so that `(user: AppUser) => ...` type-checks even
   * where no auth plugin declares the type of `request.user`.
   * @default defaultMapUser (reads `id`/`_id`/`sub`, `name`, `email`, `phone`, `avatarUrl`, …)
   */
  mapUser?(user: TUser): MappedCustomer | null | undefined | PromiseLike<MappedCustomer | null | undefined>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The engine the `supportDesk` plugin feeds: `flush()`, `stats()`, `identify(user)` for syncs
     * no request carries. `app.close()` flushes it, and closes it unless it came in as `sync`.
     */
    supportdesk: CustomerSync;
  }

  interface FastifyContextConfig {
    /**
     * `false`: requests to this route are not synced (health checks, webhooks).
     * @default true
     */
    supportdesk?: boolean;
  }
}
