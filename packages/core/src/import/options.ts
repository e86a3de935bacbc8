import { z } from 'zod';
import { configObject, flag, func, integer, milliseconds, parseConfig, shaped } from '../config.js';
import { SYNC_DEFAULTS } from '../engine/options.js';
import type { Logger } from '../engine/reporter.js';
import {
  type ClientOptionKey,
  defaultLeaseMs,
  refuseClientMix,
  type SenderOptions,
  senderFields,
} from '../engine/sender-options.js';
import { SupportDeskConfigError } from '../errors.js';
import type { SyncStore } from '../store/store.js';
import type { ImportFailure, ImportProgress } from './progress.js';

/** What the import was called: named in every configuration error. */
export const CALLER = 'importCustomers';

/** Options of {@link importCustomers}. Every option is optional; a bad one rejects with `SupportDeskConfigError`. */
export interface ImportOptions<TUser = unknown> extends SenderOptions<TUser> {
  /**
   * The API key, for the client the import builds. Not needed with `dryRun`.
   * @default process.env.SUPPORTDESK_API_KEY
   */
  apiKey?: string | undefined;
  /**
   * Retries after the first attempt (network errors, timeouts, 5xx), for the client the import
   * builds. A 429 is never one of them: it pauses the import instead.
   * @default 2
   */
  maxRetries?: number | undefined;
  /**
   * Turns a row of the source into the customer to upsert, as for `CustomerSync`. May be async;
   * `null` or `undefined` skips the row (`ignored`); a throw makes it `invalid`.
   * @default defaultMapUser (reads `id`/`_id`/`sub`, `name`, `email`, `phone`, `avatarUrl`, …)
   */
  mapUser?: SenderOptions<TUser>['mapUser'];
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

const optionsSchema = configObject(
  {
    ...senderFields,
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
  },
  'ImportOptions',
).superRefine(refuseClientMix('the import'));

type ParsedOptions = z.infer<typeof optionsSchema>;

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
  return {
    ...(parsed as Omit<ParsedOptions, ClientOptionKey> & Pick<ImportOptions<TUser>, ClientOptionKey>),
    mapUser: parsed.mapUser as ((user: TUser) => unknown) | undefined,
    onFailure: parsed.onFailure as ((failure: ImportFailure<TUser>) => void) | undefined,
    storeLeaseMs: defaultLeaseMs(parsed.timeoutMs, parsed.maxRetries),
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
