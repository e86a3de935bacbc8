import {
  type AdapterOptions,
  type CustomerSync,
  createSyncAdapter,
  type SyncOutcome,
} from '@supportdesk/core';
import type { NextFunction, Request, Response } from 'express';
import { version } from '../package.json';

declare global {
  namespace Express {
    /**
     * The logged-in user your auth puts on `req.user` (passport's types declare the same). Augment
     * it with your user's fields and `mapUser` receives them typed.
     */
    interface User {}
    interface Request {
      /** Declared exactly as passport's types declare it, so both can be installed. */
      user?: User | undefined;
    }
  }
}

/**
 * Options of {@link syncCustomers}: the engine options of `CustomerSync` (or `sync`, an engine to
 * share), plus `getUser(req, res)` and `awaitSync`.
 */
export type SyncCustomersOptions<TUser = Express.User> = AdapterOptions<TUser, [req: Request, res: Response]>;

/** The Express middleware returned by {@link syncCustomers}. */
export interface SyncCustomersMiddleware<TUser = Express.User> {
  (req: Request, res: Response, next: NextFunction): void;
  /** The engine behind the middleware: `await middleware.sync.close()` on shutdown. */
  readonly sync: CustomerSync<TUser>;
}

const readRequestUser = (req: Request): Express.User | undefined => req.user;

/**
 * Express middleware (Express 4 and 5) that syncs the logged-in user of each request into
 * SupportDesk. The user is read once the response is done, so auth that runs after this
 * middleware (`app.get('/me', requireAuth, handler)`) is still seen. The request is never
 * delayed, unless `awaitSync` is set, and never failed by anything the SDK does.
 *
 * @throws SupportDeskConfigError when an option is invalid or the API key is missing.
 * @example
 * app.use(passport.session());
 * const middleware = syncCustomers({
 *   mapUser: (user) => ({ externalId: user.id, email: user.email, name: user.name }),
 * });
 * app.use(middleware);
 * process.once('SIGTERM', () => void middleware.sync.close());
 */
export function syncCustomers<TUser = Express.User>(
  options: SyncCustomersOptions<TUser> = {},
): SyncCustomersMiddleware<TUser> {
  const adapter = createSyncAdapter<TUser, [req: Request, res: Response]>(
    options,
    readRequestUser,
    `supportdesk-express/${version}`,
    'syncCustomers',
  );

  // One 'close' listener per response: a response emits 'close' once it is done, whether it
  // finished or was aborted, and one listener costs the hot path half of what two cost. It reads
  // the request from `res.req`, so no closure is made per request, and `observe` builds no
  // outcome for an already-synced user, since nothing here reads it.
  function identifyOnClose(this: Response): void {
    adapter.observe(this.req, this);
  }

  // Named functions, so Express's debug output and stack traces say what they are. Which one
  // runs is decided here, once, not on every request.
  function syncCustomersMiddleware(_req: Request, res: Response, next: NextFunction): void {
    res.on('close', identifyOnClose);
    next();
  }

  function syncCustomersAwaitingMiddleware(req: Request, res: Response, next: NextFunction): void {
    // The held end identifies first; 'close' then reuses its outcome.
    let outcome: Promise<SyncOutcome> | undefined;
    const identify = (): Promise<SyncOutcome> => {
      outcome ??= adapter.identify(req, res);
      return outcome;
    };
    // At most awaitSyncTimeoutMs: a 429 pause or a hung upstream never holds the response longer.
    holdEndUntil(res, () => adapter.waitFor(identify()));
    res.on('close', identify);
    next();
  }

  return Object.defineProperty(
    adapter.awaitSync ? syncCustomersAwaitingMiddleware : syncCustomersMiddleware,
    'sync',
    {
      value: adapter.sync,
      enumerable: true,
    },
  ) as SyncCustomersMiddleware<TUser>;
}

/**
 * Serverless platforms may freeze the process once the response is sent, so the response's end
 * waits for `settle` (which never rejects, and resolves within `awaitSyncTimeoutMs`). Status,
 * headers and body are passed on untouched, and repeated calls keep their order.
 */
function holdEndUntil(res: Response, settle: () => Promise<unknown>): void {
  const end = res.end;
  res.end = ((...args: unknown[]) => {
    void settle().then(() => Reflect.apply(end, res, args));
    return res;
  }) as Response['end'];
}
