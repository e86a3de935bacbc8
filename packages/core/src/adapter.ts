import { SupportDeskConfigError } from './errors.js';
import type { CustomerSyncOptions } from './options.js';
import { CustomerSync, identifyWith } from './sync.js';
import type { SyncOutcome } from './sync-types.js';

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
   * response is sent). The sync still never fails the request.
   * @default false
   */
  awaitSync?: boolean | undefined;
}

/** What {@link createSyncAdapter} gives an adapter: its engine, and one call per request. */
export interface SyncAdapter<TContext extends unknown[] = unknown[], TUser = unknown> {
  /** The engine: for `flush()`, `close()` and `stats()`. */
  readonly sync: CustomerSync<TUser>;
  /** Whether the adapter should make the request wait for `identify`. */
  readonly awaitSync: boolean;
  /** Reads the user with `getUser` (or the default) and identifies them. Never throws, never rejects. */
  identify(...context: TContext): Promise<SyncOutcome>;
}

const ADAPTER_KEYS: ReadonlySet<string> = new Set(['sync', 'getUser', 'awaitSync']);

function isCustomerSync(value: unknown): value is CustomerSync<never> {
  if (value instanceof CustomerSync) return true;
  // Another copy of this package (an ESM and a CJS one side by side) answers to the same symbol.
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<PropertyKey, unknown>)[identifyWith] === 'function'
  );
}

/**
 * Validates an adapter's options (at creation, never during a request) and returns what the
 * adapter calls per request. Shared by the Express, Koa and NestJS adapters.
 *
 * @param adapterName added to the client's `User-Agent`, e.g. `supportdesk-express/0.1.0`.
 * @throws SupportDeskConfigError when an option is invalid, or the API key is missing.
 * @example
 * const adapter = createSyncAdapter(options, (req) => req.user, 'supportdesk-express/0.1.0');
 * res.once('finish', () => void adapter.identify(req, res));
 */
export function createSyncAdapter<TUser, TContext extends unknown[]>(
  options: AdapterOptions<TUser, TContext> | undefined,
  defaultGetUser: (...context: TContext) => unknown,
  adapterName?: string,
): SyncAdapter<TContext, TUser> {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options)))
    throw new SupportDeskConfigError('The options must be an object, e.g. { mapUser, getUser }');
  const { sync, getUser, awaitSync, ...engineOptions } = options ?? {};
  if (getUser !== undefined && typeof getUser !== 'function')
    throw new SupportDeskConfigError(
      'getUser must be a function reading the user from the request, e.g. (req) => req.user',
    );
  if (awaitSync !== undefined && typeof awaitSync !== 'boolean')
    throw new SupportDeskConfigError('awaitSync must be true or false');
  if (typeof defaultGetUser !== 'function')
    throw new SupportDeskConfigError('createSyncAdapter needs a default getUser function');

  let engine: CustomerSync<TUser>;
  if (sync !== undefined) {
    if (!isCustomerSync(sync))
      throw new SupportDeskConfigError(
        'sync must be a CustomerSync, e.g. sync: new CustomerSync({ apiKey, mapUser })',
      );
    const mixed = Object.entries(engineOptions)
      .filter(([key, value]) => value !== undefined && !ADAPTER_KEYS.has(key))
      .map(([key]) => key);
    if (mixed.length > 0)
      throw new SupportDeskConfigError(
        `Give either sync or engine options, not both: ${mixed.join(', ')} would be ignored (the shared engine has its own)`,
      );
    engine = sync;
  } else {
    const userAgent = [adapterName, engineOptions.userAgent].filter((token) => token).join(' ') || undefined;
    engine = new CustomerSync<TUser>(
      engineOptions.client === undefined ? { ...engineOptions, userAgent } : engineOptions,
    );
  }

  const read = getUser ?? defaultGetUser;
  return Object.freeze({
    sync: engine,
    awaitSync: awaitSync ?? false,
    identify: (...context: TContext): Promise<SyncOutcome> =>
      engine[identifyWith](() => read(...context), 'getUser'),
  });
}
