import { z } from 'zod';
import type { SupportDeskClient } from './client.js';
import { SupportDeskConfigError, type SupportDeskError } from './errors.js';
import type { MappedCustomer } from './mapping.js';
import type { SyncStore } from './store.js';
import type { SyncEvent } from './sync-types.js';

/**
 * Where the engine writes its log lines: pino, console, or anything with these four methods
 * taking `(fields, message)`. Fields carry `externalId`, `status` and error codes, never an
 * email, a phone number or the API key.
 */
export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** What the engine needs of a client: a `SupportDeskClient`, or any object with its `upsertCustomer`. */
export type SyncClient = Pick<SupportDeskClient, 'upsertCustomer'> & {
  /** Names the account in a shared store; a client without one shares the namespace `default`. */
  readonly namespace?: string;
};

/** Options of `new CustomerSync(options)`. Every option is optional; bad ones throw {@link SupportDeskConfigError}. */
export interface CustomerSyncOptions<TUser = unknown> {
  /** A client to send with. Give either this or the client options (`apiKey`, `baseUrl`, …), not both. */
  client?: SyncClient | undefined;
  /**
   * The API key, for the client the engine builds.
   * @default process.env.SUPPORTDESK_API_KEY
   */
  apiKey?: string | undefined;
  /**
   * The API base URL, for the client the engine builds.
   * @default process.env.SUPPORTDESK_BASE_URL, else 'https://supportdesk.innovartx.com/api/v1'
   */
  baseUrl?: string | undefined;
  /**
   * Time limit of one HTTP attempt, for the client the engine builds.
   * @default 10_000
   */
  timeoutMs?: number | undefined;
  /**
   * Retries after the first attempt, for the client the engine builds.
   * @default 2
   */
  maxRetries?: number | undefined;
  /**
   * A fetch implementation, for the client the engine builds.
   * @default globalThis.fetch
   */
  fetch?: typeof fetch | undefined;
  /**
   * An extra product token for the client's `User-Agent` (adapters add their own name).
   * @default undefined
   */
  userAgent?: string | undefined;
  /**
   * Turns your user into the customer to upsert. May be async; return `null` or `undefined`
   * for a user that should not be synced.
   * @default defaultMapUser (reads `id`/`_id`/`sub`, `name`, `email`, `phone`, `avatarUrl`, …)
   */
  mapUser?:
    | ((user: TUser) => MappedCustomer | null | undefined | PromiseLike<MappedCustomer | null | undefined>)
    | undefined;
  /**
   * A synced, unchanged user is not sent again for this long.
   * @default 3_600_000 (one hour)
   */
  ttlMs?: number | undefined;
  /**
   * How many synced users the in-memory cache remembers (least recently seen are forgotten first).
   * @default 10_000
   */
  maxEntries?: number | undefined;
  /**
   * Upserts in flight at most.
   * @default 4
   */
  concurrency?: number | undefined;
  /**
   * Syncs waiting for a free slot at most; beyond, an identify resolves `dropped`.
   * @default 1_000
   */
  maxQueueSize?: number | undefined;
  /**
   * A shared store (such as `RedisSyncStore`) consulted after the in-memory cache.
   * @default undefined (the in-memory cache alone)
   */
  store?: SyncStore | undefined;
  /**
   * Called for each failure: every failed upsert, each distinct invalid payload or mapping
   * error once, dropped syncs in batches. Must not throw (a throw is caught and ignored).
   * @default undefined
   */
  onError?: ((error: SupportDeskError, event: SyncEvent) => void) | undefined;
  /**
   * Called after every upsert that reached SupportDesk.
   * @default undefined
   */
  onSync?: ((event: SyncEvent) => void) | undefined;
  /**
   * Where log lines go.
   * @default warnings and errors to `console` when neither `logger` nor `onError` is given, else none
   */
  logger?: Logger | undefined;
  /**
   * `false` turns every identify into a no-op resolving `ignored`: no API key needed, no client built.
   * @default true
   */
  enabled?: boolean | undefined;
  /**
   * After a failure retrying cannot fix (400, 409, or an invalid payload), the same payload
   * of that user is held back this long.
   * @default 600_000 (ten minutes)
   */
  failureCooldownMs?: number | undefined;
  /**
   * After 401 or 403, nothing is sent for this long.
   * @default 300_000 (five minutes)
   */
  authCooldownMs?: number | undefined;
  /**
   * How long a 429 without `Retry-After` pauses the queue.
   * @default 30_000
   */
  defaultRetryAfterMs?: number | undefined;
  /**
   * A `store` call slower than this counts as the store being unavailable for that identify.
   * @default 200
   */
  storeTimeoutMs?: number | undefined;
  /**
   * How long a claim in the shared `store` lasts if neither commit nor release follows.
   * @default 2 × timeoutMs × (maxRetries + 1): 60_000 with the client defaults
   */
  storeLeaseMs?: number | undefined;
  /**
   * Repeated problems (dropped syncs, failing upserts) are logged at most once per this interval.
   * @default 60_000
   */
  reportIntervalMs?: number | undefined;
  /**
   * Send what is pending when the process is about to exit (`beforeExit`), for up to 10 s.
   * @default true
   */
  flushOnExit?: boolean | undefined;
  /**
   * The clock, in milliseconds. Inject one in tests.
   * @default performance.now
   */
  now?: (() => number) | undefined;
}

/** The documented defaults of {@link CustomerSyncOptions}, merged under what the caller gives. */
export const SYNC_DEFAULTS = {
  ttlMs: 3_600_000,
  maxEntries: 10_000,
  concurrency: 4,
  maxQueueSize: 1_000,
  enabled: true,
  failureCooldownMs: 600_000,
  authCooldownMs: 300_000,
  defaultRetryAfterMs: 30_000,
  storeTimeoutMs: 200,
  reportIntervalMs: 60_000,
  flushOnExit: true,
} as const;

const CLIENT_DEFAULT_TIMEOUT_MS = 10_000;
const CLIENT_DEFAULT_MAX_RETRIES = 2;

const CLIENT_OPTION_KEYS = ['apiKey', 'baseUrl', 'timeoutMs', 'maxRetries', 'fetch', 'userAgent'] as const;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

const fn = (name: string, hint: string) =>
  z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', {
    error: `${name} must be a function ${hint}`,
  });

const count = (name: string, min: number) =>
  z
    .number({ error: `${name} must be a number` })
    .int({ error: `${name} must be a whole number` })
    .min(min, { error: `${name} must be at least ${min}` });

const milliseconds = (name: string, min: number) =>
  z
    .number({ error: `${name} must be a number of milliseconds` })
    .int({ error: `${name} must be a whole number of milliseconds` })
    .min(min, { error: `${name} must be at least ${min} ms` });

const loggerSchema = z.custom<Logger>(
  (value) =>
    isObject(value) &&
    (['debug', 'info', 'warn', 'error'] as const).every(
      (level) => value[level] === undefined || typeof value[level] === 'function',
    ),
  { error: 'logger must be an object whose debug, info, warn and error are functions (pino or console)' },
);

const storeSchema = z.custom<SyncStore>(
  (value) =>
    isObject(value) &&
    typeof value.claim === 'function' &&
    typeof value.commit === 'function' &&
    typeof value.release === 'function',
  {
    error:
      'store must implement SyncStore (claim, commit and release functions), e.g. new RedisSyncStore(...)',
  },
);

const clientSchema = z.custom<SyncClient>(
  (value) => isObject(value) && typeof value.upsertCustomer === 'function',
  {
    error: 'client must be a SupportDeskClient (an object with an upsertCustomer method)',
  },
);

const optionsSchema = z
  .strictObject(
    {
      client: clientSchema.optional(),
      apiKey: z.string({ error: 'apiKey must be a string' }).optional(),
      baseUrl: z.string({ error: 'baseUrl must be a string URL' }).optional(),
      timeoutMs: z.number({ error: 'timeoutMs must be a number of milliseconds' }).optional(),
      maxRetries: z.number({ error: 'maxRetries must be a number' }).optional(),
      fetch: fn('fetch', 'compatible with globalThis.fetch').optional(),
      userAgent: z.string({ error: 'userAgent must be a string' }).optional(),
      mapUser: fn('mapUser', '(user) => ({ externalId, email, name, ... }) or null').optional(),
      ttlMs: milliseconds('ttlMs', 1),
      maxEntries: count('maxEntries', 1),
      concurrency: count('concurrency', 1),
      maxQueueSize: count('maxQueueSize', 1),
      store: storeSchema.optional(),
      onError: fn('onError', '(error, event) => void').optional(),
      onSync: fn('onSync', '(event) => void').optional(),
      logger: loggerSchema.optional(),
      enabled: z.boolean({ error: 'enabled must be true or false' }),
      failureCooldownMs: milliseconds('failureCooldownMs', 0),
      authCooldownMs: milliseconds('authCooldownMs', 0),
      defaultRetryAfterMs: milliseconds('defaultRetryAfterMs', 0),
      storeTimeoutMs: milliseconds('storeTimeoutMs', 1),
      storeLeaseMs: milliseconds('storeLeaseMs', 1).optional(),
      reportIntervalMs: milliseconds('reportIntervalMs', 0),
      flushOnExit: z.boolean({ error: 'flushOnExit must be true or false' }),
      now: fn('now', 'returning milliseconds, e.g. () => performance.now()').optional(),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown option${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}: check the spelling against CustomerSyncOptions`
          : undefined,
    },
  )
  .superRefine((options, ctx) => {
    if (options.client === undefined) return;
    const mixed = CLIENT_OPTION_KEYS.filter((key) => options[key] !== undefined);
    if (mixed.length > 0)
      ctx.addIssue({
        code: 'custom',
        message: `give either client or ${mixed.join(', ')} (they configure the client the engine would build), not both`,
      });
  });

type ParsedOptions = z.infer<typeof optionsSchema>;

/** The options after defaults and validation, as the engine uses them. */
export interface ResolvedSyncOptions<TUser>
  extends Omit<ParsedOptions, 'mapUser' | 'onError' | 'onSync' | 'now' | 'fetch' | 'storeLeaseMs'> {
  mapUser: ((user: TUser) => unknown) | undefined;
  onError: CustomerSyncOptions['onError'];
  onSync: CustomerSyncOptions['onSync'];
  fetch: typeof fetch | undefined;
  now: () => number;
  storeLeaseMs: number;
}

const performanceNow = (): number => performance.now();

/** Drops `undefined` keys, merges {@link SYNC_DEFAULTS} under them and validates, once, at construction. */
export function resolveSyncOptions<TUser>(
  options: CustomerSyncOptions<TUser> | undefined,
): ResolvedSyncOptions<TUser> {
  if (options !== undefined && (!isObject(options) || Array.isArray(options)))
    throw new SupportDeskConfigError(
      'CustomerSync options must be an object, e.g. new CustomerSync({ apiKey, mapUser })',
    );
  const given: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options ?? {})) if (value !== undefined) given[key] = value;
  const result = optionsSchema.safeParse({ ...SYNC_DEFAULTS, ...given });
  if (!result.success) {
    const problems = result.error.issues.map((issue) => issue.message).join('; ');
    throw new SupportDeskConfigError(`Invalid CustomerSync options: ${problems}`);
  }
  const parsed = result.data;
  const attempts = (parsed.maxRetries ?? CLIENT_DEFAULT_MAX_RETRIES) + 1;
  return {
    ...parsed,
    mapUser: parsed.mapUser as ((user: TUser) => unknown) | undefined,
    onError: parsed.onError as CustomerSyncOptions['onError'],
    onSync: parsed.onSync as CustomerSyncOptions['onSync'],
    fetch: parsed.fetch as typeof fetch | undefined,
    now: (parsed.now as (() => number) | undefined) ?? performanceNow,
    storeLeaseMs: parsed.storeLeaseMs ?? 2 * (parsed.timeoutMs ?? CLIENT_DEFAULT_TIMEOUT_MS) * attempts,
  };
}
