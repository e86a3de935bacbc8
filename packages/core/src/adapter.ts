import { z } from 'zod';
import { callerOf, flag, func, milliseconds, parseConfig, shaped } from './config.js';
import { CustomerSync, identifyWith, observeWith } from './engine/customer-sync.js';
import type { CustomerSyncOptions } from './engine/options.js';
import type { SyncOutcome } from './engine/outcome.js';
import { SupportDeskConfigError } from './errors.js';

/**
 * Options every framework adapter takes: the engine's options (or `sync`, an engine to share),
 * plus how to read the user from the framework's request.
 */
export interface AdapterOptions<TUser = unknown, TContext extends unknown[] = unknown[]>
  extends CustomerSyncOptions<TUser> {
  /**
   * An engine to share (between adapters, or with your own code). When given, no engine
   * option may be: the shared engine already has its own.
   * @default undefined (the adapter builds an engine from the options)
   */
  sync?: CustomerSync<TUser> | undefined;
  /**
   * Reads the user from the request, once it is done. May return a promise; return `null` or
   * `undefined` for an anonymous request.
   * @default the adapter's convention (`req.user`, `ctx.state.user`, …)
   */
  getUser?: ((...context: TContext) => unknown) | undefined;
  /**
   * Make the request wait for its sync (serverless platforms that freeze the process once the
   * response is sent), for at most `awaitSyncTimeoutMs`. The sync still never fails the request.
   * @default false
   */
  awaitSync?: boolean | undefined;
  /**
   * With `awaitSync`, the longest a response waits for its sync: then the response goes on and
   * the sync continues in the background. A 429 pause or a hung upstream never holds it longer.
   * @default 2_000
   */
  awaitSyncTimeoutMs?: number | undefined;
}

/** What {@link createSyncAdapter} gives an adapter: its engine, and one call per request. */
export interface SyncAdapter<TContext extends unknown[] = unknown[], TUser = unknown> {
  /** The engine: for `flush()`, `close()` and `stats()`. */
  readonly sync: CustomerSync<TUser>;
  /** Whether the adapter should make the request wait for `identify`, through {@link waitFor}. */
  readonly awaitSync: boolean;
  /** The longest {@link waitFor} waits. */
  readonly awaitSyncTimeoutMs: number;
  /**
   * Resolves when `outcome` settles or `awaitSyncTimeoutMs` passes, whichever comes first; never
   * rejects. What an `awaitSync` adapter holds the response on.
   */
  waitFor(outcome: Promise<SyncOutcome>): Promise<void>;
  /** Reads the user with `getUser` (or the default) and identifies them. Never throws, never rejects. */
  identify(...context: TContext): Promise<SyncOutcome>;
  /**
   * Like {@link identify}, for an adapter that does not look at the outcome: an already-synced
   * user then allocates nothing at all. Never throws.
   */
  observe(...context: TContext): void;
}

function isCustomerSync(value: object): boolean {
  // Another copy of this package (an ESM and a CJS one side by side) answers to the same symbol.
  return value instanceof CustomerSync || typeof Reflect.get(value, identifyWith) === 'function';
}

/** The default of {@link AdapterOptions.awaitSyncTimeoutMs}. */
const AWAIT_SYNC_TIMEOUT_MS = 2_000;

/** The adapter's own options; the rest are the engine's, which the engine checks itself. */
const adapterSchema = z.looseObject({
  sync: shaped<CustomerSync<never>>(
    'sync',
    isCustomerSync,
    'a CustomerSync, e.g. sync: new CustomerSync({ apiKey, mapUser })',
  ).optional(),
  getUser: func('getUser', 'reading the user from the request, e.g. (req) => req.user').optional(),
  awaitSync: flag('awaitSync').optional(),
  awaitSyncTimeoutMs: milliseconds('awaitSyncTimeoutMs', 0, AWAIT_SYNC_TIMEOUT_MS),
});

/**
 * Validates an adapter's options (at creation, never during a request) and returns what the
 * adapter calls per request. Shared by the Express, Koa, NestJS and Fastify adapters.
 *
 * @param adapterName added to the client's `User-Agent`, e.g. `supportdesk-express/0.1.0`.
 * @param caller what the user called, named in a configuration error, e.g. `syncCustomers`.
 * @throws SupportDeskConfigError when an option is invalid, or the API key is missing.
 * @example
 * const adapter = createSyncAdapter(options, (req) => req.user, 'supportdesk-express/0.1.0', 'syncCustomers');
 * res.once('close', () => void adapter.identify(req, res));
 */
export function createSyncAdapter<TUser, TContext extends unknown[]>(
  options: AdapterOptions<TUser, TContext> | undefined,
  defaultGetUser: (...context: TContext) => unknown,
  adapterName?: string,
  caller = 'createSyncAdapter',
): SyncAdapter<TContext, TUser> {
  if (typeof defaultGetUser !== 'function')
    throw new SupportDeskConfigError('createSyncAdapter needs a default getUser function');
  const { sync, getUser, awaitSync, awaitSyncTimeoutMs, ...engineOptions } = parseConfig(
    caller,
    adapterSchema,
    options,
    { awaitSyncTimeoutMs: AWAIT_SYNC_TIMEOUT_MS },
  );

  let engine: CustomerSync<TUser>;
  if (sync !== undefined) {
    const mixed = Object.keys(engineOptions);
    if (mixed.length > 0)
      throw new SupportDeskConfigError(
        `${caller}: give either sync or engine options, not both: ${mixed.join(', ')} would be ignored (the shared engine has its own)`,
      );
    engine = sync as CustomerSync<TUser>;
  } else {
    const given = engineOptions as CustomerSyncOptions<TUser>;
    const userAgent = [adapterName, given.userAgent].filter((token) => token).join(' ') || undefined;
    const named = { ...given, [callerOf]: caller };
    engine = new CustomerSync<TUser>(given.client === undefined ? { ...named, userAgent } : named);
  }

  const read = (getUser ?? defaultGetUser) as (first: unknown, second: unknown) => unknown;
  return Object.freeze({
    sync: engine,
    awaitSync: awaitSync ?? false,
    awaitSyncTimeoutMs,
    waitFor: (outcome: Promise<SyncOutcome>) => settledWithin(outcome, awaitSyncTimeoutMs),
    // Adapters pass at most two context values (req, res): plain arguments, no rest array.
    identify: ((first: unknown, second: unknown): Promise<SyncOutcome> =>
      engine[identifyWith](read, first, second)) as unknown as (...context: TContext) => Promise<SyncOutcome>,
    observe: observeOf(engine, read) as unknown as (...context: TContext) => void,
  });
}

/**
 * The engine's quiet entry, bound to `read`. A shared engine from an older copy of this package
 * may lack it: then the outcome of identify is dropped instead.
 */
function observeOf(engine: CustomerSync<never>, read: (first: unknown, second: unknown) => unknown) {
  if (typeof engine[observeWith] === 'function')
    return (first: unknown, second: unknown): void => engine[observeWith](read, first, second);
  return (first: unknown, second: unknown): void => {
    void engine[identifyWith](read, first, second);
  };
}

/** Resolves once `outcome` settles or `timeoutMs` passes; the timer is unref'd and cleared. */
function settledWithin(outcome: Promise<unknown>, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    timer.unref();
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    outcome.then(done, done);
  });
}
