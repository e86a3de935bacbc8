import { type AdapterOptions, type CustomerSync, createSyncAdapter } from '@supportdesk/core';
import { version } from '../package.json';

/**
 * The part of a Koa context the default `getUser` reads. Typed structurally, not with Koa's own
 * types, so one middleware fits Koa 2 and Koa 3 apps whatever their state and context types are.
 */
export interface KoaContextLike {
  /** Koa's per-request namespace; koa-passport and koa-jwt put the user at `state.user`. */
  state: Record<string, unknown>;
}

/**
 * Options of {@link syncCustomers}: every {@link CustomerSync} option (`apiKey`, `mapUser`,
 * `ttlMs`, ...), or `sync` to share one engine, plus how to read the user from a request.
 */
export interface SyncCustomersOptions<TUser = unknown, TContext = KoaContextLike>
  extends AdapterOptions<TUser, [ctx: TContext]> {
  /**
   * Reads the user of a request once the rest of the middleware chain is done. May return a
   * promise. Return `null` or `undefined` for an anonymous request.
   * @default (ctx) => ctx.state.user
   */
  getUser?: (ctx: TContext) => unknown;
}

/** The Koa middleware {@link syncCustomers} returns, with the engine it feeds. */
export interface SyncCustomersMiddleware<TUser = unknown, TContext = KoaContextLike> {
  (ctx: TContext, next: () => Promise<unknown>): Promise<unknown>;
  /** The engine this middleware feeds: call `close()` on it when the app shuts down. */
  readonly sync: CustomerSync<TUser>;
}

const readStateUser = (ctx: unknown): unknown => (ctx as Partial<KoaContextLike> | undefined)?.state?.user;

/**
 * Creates a Koa middleware that syncs the user of each request into SupportDesk. The user is
 * read after the downstream middleware ran, so auth mounted later in the chain, or on a route,
 * is seen. The sync never delays the response (unless `awaitSync`) and never fails it; an error
 * thrown downstream propagates unchanged and the user is still read.
 *
 * Bad options throw {@link SupportDeskConfigError} here, at start-up, never during a request.
 *
 * @example
 * import Koa from 'koa';
 * import { syncCustomers } from '@supportdesk/koa';
 *
 * const app = new Koa();
 * app.use(passport.session());
 * const supportDesk = syncCustomers({
 *   mapUser: (user) => ({ externalId: user.id, email: user.email, name: user.name }),
 * });
 * app.use(supportDesk);
 * process.once('SIGTERM', () => supportDesk.sync.close());
 */
export function syncCustomers<TUser = unknown, TContext = KoaContextLike>(
  options?: SyncCustomersOptions<TUser, TContext>,
): SyncCustomersMiddleware<TUser, TContext> {
  const adapter = createSyncAdapter<TUser, [ctx: TContext]>(
    options,
    readStateUser,
    `supportdesk-koa/${version}`,
    'syncCustomers',
  );
  // A `finally` so a downstream throw neither skips the sync nor is replaced by it: observe
  // never throws and identify never rejects. Which middleware runs is decided here, once, not on
  // every request. `observe` builds no outcome for an already-synced user: nothing reads it.
  const middleware = async (ctx: TContext, next: () => Promise<unknown>): Promise<unknown> => {
    try {
      return await next();
    } finally {
      adapter.observe(ctx);
    }
  };
  const awaitingMiddleware = async (ctx: TContext, next: () => Promise<unknown>): Promise<unknown> => {
    try {
      return await next();
    } finally {
      // Awaiting here leaves a pending downstream error untouched. At most awaitSyncTimeoutMs:
      // a 429 pause or a hung upstream never holds the response longer.
      await adapter.waitFor(adapter.identify(ctx));
    }
  };
  return Object.defineProperty(adapter.awaitSync ? awaitingMiddleware : middleware, 'sync', {
    value: adapter.sync,
    enumerable: true,
  }) as SyncCustomersMiddleware<TUser, TContext>;
}
