import { z } from 'zod';
import { CLIENT_DEFAULTS } from '../client/options.js';
import { configObject, flag, func, integer, milliseconds, parseConfig, shaped, text } from '../config.js';
import type { MappedCustomer } from '../engine/mapping.js';
import { SYNC_DEFAULTS, type SyncClient } from '../engine/options.js';
import type { Logger } from '../engine/reporter.js';
import { SupportDeskConfigError } from '../errors.js';
import type { SyncStore } from '../store/store.js';
import type { ImportFailure, ImportProgress } from './progress.js';

/** What the import was called: named in every configuration error. */
export const CALLER = 'importCustomers';

/** Options of {@link importCustomers}. Every option is optional; a bad one rejects with `SupportDeskConfigError`. */
export interface ImportOptions<TUser = unknown> {
  /** A client to send with. Give either this or the client options (`apiKey`, `baseUrl`, …), not both. */
  client?: SyncClient | undefined;
  /**
   * The API key, for the client the import builds. Not needed with `dryRun`.
   * @default process.env.SUPPORTDESK_API_KEY
   */
  apiKey?: string | undefined;
  /**
   * The API base URL, for the client the import builds.
   * @default process.env.SUPPORTDESK_BASE_URL, else 'https://supportdesk.innovartx.com/api/v1'
   */
  baseUrl?: string | undefined;
  /**
   * Time limit of one HTTP attempt, for the client the import builds.
   * @default 10_000
   */
  timeoutMs?: number | undefined;
  /**
   * Retries after the first attempt (network errors, timeouts, 5xx), for the client the import
   * builds. A 429 is never one of them: it pauses the import instead.
   * @default 2
   */
  maxRetries?: number | undefined;
  /**
   * A fetch implementation, for the client the import builds.
   * @default globalThis.fetch
   */
  fetch?: typeof fetch | undefined;
  /**
   * An extra product token for the client's `User-Agent`.
   * @default undefined
   */
  userAgent?: string | undefined;
  /**
   * Turns a row of the source into the customer to upsert, as for `CustomerSync`. May be async;
   * `null` or `undefined` skips the row (`ignored`); a throw makes it `invalid`.
   * @default defaultMapUser (reads `id`/`_id`/`sub`, `name`, `email`, `phone`, `avatarUrl`, …)
   */
  mapUser?:
    | ((user: TUser) => MappedCustomer | null | undefined | PromiseLike<MappedCustomer | null | undefined>)
    | undefined;
  /**
   * Upserts in flight at most (1 to 1,000). The source is read at most `concurrency + 16` rows
   * ahead of the rows settled.
   * @default 8
   */
  concurrency?: number | undefined;
  /**
   * Sends per second at most, spaced evenly. A 429 halves the pace; it climbs back by a tenth
   * of `maxPerSecond` each second without one.
   * @default undefined (as fast as `concurrency` allows)
   */
  maxPerSecond?: number | undefined;
  /**
   * A `SyncStore` (e.g. the `RedisSyncStore` your live sync uses): a user synced with the same
   * payload less than its TTL ago is `unchanged` and not sent, each one sent is recorded for
   * `ttlMs`, and a 429 met here or by another instance sharing the store pauses both.
   * @default undefined (every row is sent)
   */
  store?: SyncStore | undefined;
  /**
   * How long the `store` remembers an imported user as synced (the engine's `ttlMs`).
   * @default 3_600_000 (one hour)
   */
  ttlMs?: number | undefined;
  /**
   * Leading rows of the source to pass over (read, not mapped, not sent): a previous run's
   * `completed`, to resume it.
   * @default 0
   */
  skip?: number | undefined;
  /**
   * Map and validate every row and send nothing (no API key needed): `invalid` and `ignored`
   * are counted as a real run would count them.
   * @default false
   */
  dryRun?: boolean | undefined;
  /**
   * Stops the import: nothing more is read or sent, the upserts in flight settle, and the
   * import resolves with `aborted: true` (its `completed` is where to resume).
   * @default undefined
   */
  signal?: AbortSignal | undefined;
  /**
   * Called after each row settles and when sending pauses for a 429. A throw is ignored.
   * @default undefined
   */
  onProgress?: ((progress: ImportProgress) => void) | undefined;
  /**
   * Called once for each row that failed or is invalid; the import goes on. A throw is ignored.
   * @default undefined
   */
  onFailure?: ((failure: ImportFailure<TUser>) => void) | undefined;
  /**
   * Where a store that stops answering is reported.
   * @default warnings and errors to `console`
   */
  logger?: Logger | undefined;
}

/** The documented defaults of {@link ImportOptions}. */
export const IMPORT_DEFAULTS = {
  concurrency: 8,
  skip: 0,
  dryRun: false,
  ttlMs: SYNC_DEFAULTS.ttlMs,
} as const;

/** Upserts in flight at most: the read-ahead window is allocated for it up front. */
const MAX_CONCURRENCY = 1_000;

const CLIENT_OPTION_KEYS = ['apiKey', 'baseUrl', 'timeoutMs', 'maxRetries', 'fetch', 'userAgent'] as const;

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

const optionsSchema = configObject(
  {
    client: shaped<SyncClient>(
      'client',
      (value) => typeof value.upsertCustomer === 'function',
      'a SupportDeskClient (an object with an upsertCustomer method)',
    ).optional(),
    // The client the import builds checks these itself.
    apiKey: z.unknown().optional(),
    baseUrl: z.unknown().optional(),
    timeoutMs: z.unknown().optional(),
    maxRetries: z.unknown().optional(),
    fetch: z.unknown().optional(),
    userAgent: text('userAgent', '"my-app/1.2.3"').optional(),
    mapUser: func<(user: unknown) => unknown>(
      'mapUser',
      '(user) => ({ externalId, email, name, ... }) or null',
    ).optional(),
    concurrency: integer('concurrency', {
      min: 1,
      max: MAX_CONCURRENCY,
      fallback: IMPORT_DEFAULTS.concurrency,
    }),
    maxPerSecond: z
      .custom<number>((value) => typeof value === 'number' && Number.isFinite(value) && value > 0, {
        error: (issue) =>
          `maxPerSecond must be a number of sends per second above 0, e.g. 50 (got ${String(issue.input)})`,
      })
      .optional(),
    store: shaped<SyncStore>(
      'store',
      (value) =>
        typeof value.claim === 'function' &&
        typeof value.commit === 'function' &&
        typeof value.release === 'function',
      'a SyncStore (claim, commit and release functions), e.g. new RedisSyncStore(...)',
    ).optional(),
    ttlMs: milliseconds('ttlMs', 1, IMPORT_DEFAULTS.ttlMs, Number.MAX_SAFE_INTEGER),
    skip: integer('skip', { min: 0, fallback: IMPORT_DEFAULTS.skip }),
    dryRun: flag('dryRun'),
    signal: shaped<AbortSignal>(
      'signal',
      (value) => typeof value.aborted === 'boolean' && typeof value.addEventListener === 'function',
      'an AbortSignal, e.g. AbortSignal.timeout(60_000) or controller.signal',
    ).optional(),
    onProgress: func<(progress: ImportProgress) => void>('onProgress', '(progress) => void').optional(),
    onFailure: func<(failure: ImportFailure) => void>('onFailure', '(failure) => void').optional(),
    logger: shaped<Logger>(
      'logger',
      (value) =>
        LOG_LEVELS.every((level) => value[level] === undefined || typeof value[level] === 'function'),
      'an object whose debug, info, warn and error are functions (pino or console)',
    ).optional(),
  },
  'ImportOptions',
).superRefine((options, ctx) => {
  if (options.client === undefined) return;
  const mixed = CLIENT_OPTION_KEYS.filter((key) => options[key] !== undefined);
  if (mixed.length > 0)
    ctx.addIssue({
      code: 'custom',
      message: `give either client or ${mixed.join(', ')} (they configure the client the import would build), not both`,
    });
});

type ParsedOptions = z.infer<typeof optionsSchema>;
type ClientOptionKey = (typeof CLIENT_OPTION_KEYS)[number];

/** The options after defaults and validation, as the import uses them. */
export interface ResolvedImportOptions<TUser>
  extends Omit<ParsedOptions, ClientOptionKey | 'mapUser' | 'onFailure'>,
    Pick<ImportOptions<TUser>, ClientOptionKey> {
  mapUser: ((user: TUser) => unknown) | undefined;
  onFailure: ((failure: ImportFailure<TUser>) => void) | undefined;
  /** How long a claim in the store lasts if neither commit nor release follows (as the engine's). */
  storeLeaseMs: number;
}

/**
 * Drops `undefined` keys, merges {@link IMPORT_DEFAULTS} under them and validates, once.
 * @throws {SupportDeskConfigError} `importCustomers: …`, one problem per option.
 */
export function resolveImportOptions<TUser>(
  options: ImportOptions<TUser> | undefined,
): ResolvedImportOptions<TUser> {
  const parsed = parseConfig(CALLER, optionsSchema, options, IMPORT_DEFAULTS);
  const timeoutMs = typeof parsed.timeoutMs === 'number' ? parsed.timeoutMs : CLIENT_DEFAULTS.timeoutMs;
  const maxRetries = typeof parsed.maxRetries === 'number' ? parsed.maxRetries : CLIENT_DEFAULTS.maxRetries;
  return {
    ...(parsed as Omit<ParsedOptions, ClientOptionKey> & Pick<ImportOptions<TUser>, ClientOptionKey>),
    mapUser: parsed.mapUser as ((user: TUser) => unknown) | undefined,
    onFailure: parsed.onFailure as ((failure: ImportFailure<TUser>) => void) | undefined,
    storeLeaseMs: 2 * timeoutMs * (maxRetries + 1),
  };
}

/** Checks that the source can be iterated; a string is refused (it would be read one character a row). */
export function checkSource(source: unknown): void {
  const iterable =
    typeof source === 'object' &&
    source !== null &&
    (typeof (source as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function' ||
      typeof (source as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function');
  if (iterable) return;
  const got = source === null ? 'null' : typeof source;
  throw new SupportDeskConfigError(
    `${CALLER}: the source must be an Iterable or AsyncIterable of users, e.g. an array, a generator or a database cursor (got ${got})`,
  );
}
