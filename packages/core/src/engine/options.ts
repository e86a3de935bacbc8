import type { z } from 'zod';
import { configObject, flag, func, integer, milliseconds, parseConfig } from '../config.js';
import { SupportDeskConfigError } from '../errors.js';
import { MAX_ENTRIES } from '../store/memory-store.js';
import type { SyncStore } from '../store/store.js';
import type { ErrorHook, Logger, SyncHook } from './reporter.js';
import {
  type ClientOptionKey,
  defaultLeaseMs,
  refuseClientMix,
  type SenderOptions,
  senderFields,
} from './sender-options.js';

/** Options of `new CustomerSync(options)`. Every option is optional; bad ones throw {@link SupportDeskConfigError}. */
export interface CustomerSyncOptions<TUser = unknown> extends SenderOptions<TUser> {
  /**
   * A synced, unchanged user is not sent again for this long.
   * @default 3_600_000 (one hour)
   */
  ttlMs?: number | undefined;
  /**
   * How many synced users the in-memory cache remembers (least recently seen are forgotten first),
   * at most 10,000,000. Each costs about 140 bytes once filled, and lru-cache reserves about 36
   * bytes a slot up front.
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
  onError?: ErrorHook | undefined;
  /**
   * Called after every upsert that reached SupportDesk.
   * @default undefined
   */
  onSync?: SyncHook | undefined;
  /**
   * Where log lines go.
   * @default warnings and errors to `console` when neither `logger` nor `onError` is given, else none
   */
  logger?: Logger | undefined;
  /**
   * `false` turns every identify into a no-op resolving `ignored`: no API key needed, no client
   * built. Left unset with no API key at all (no `apiKey`, no `SUPPORTDESK_API_KEY`), the engine
   * starts disabled with one warning, so an app and its tests run without a key; except with
   * `NODE_ENV=production`, where that is a {@link SupportDeskConfigError}. `true` with no key
   * always throws.
   * @default true (false, with a warning, when no key is set outside production)
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

const optionsSchema = configObject(
  {
    ...senderFields,
    ttlMs: milliseconds('ttlMs', 1, SYNC_DEFAULTS.ttlMs, Number.MAX_SAFE_INTEGER),
    maxEntries: integer('maxEntries', { min: 1, max: MAX_ENTRIES, fallback: SYNC_DEFAULTS.maxEntries }),
    concurrency: integer('concurrency', { min: 1, fallback: SYNC_DEFAULTS.concurrency }),
    maxQueueSize: integer('maxQueueSize', { min: 1, fallback: SYNC_DEFAULTS.maxQueueSize }),
    onError: func<ErrorHook>('onError', '(error, event) => void').optional(),
    onSync: func<SyncHook>('onSync', '(event) => void').optional(),
    enabled: flag('enabled'),
    failureCooldownMs: milliseconds(
      'failureCooldownMs',
      0,
      SYNC_DEFAULTS.failureCooldownMs,
      Number.MAX_SAFE_INTEGER,
    ),
    authCooldownMs: milliseconds('authCooldownMs', 0, SYNC_DEFAULTS.authCooldownMs, Number.MAX_SAFE_INTEGER),
    defaultRetryAfterMs: milliseconds(
      'defaultRetryAfterMs',
      0,
      SYNC_DEFAULTS.defaultRetryAfterMs,
      Number.MAX_SAFE_INTEGER,
    ),
    storeTimeoutMs: milliseconds('storeTimeoutMs', 1, SYNC_DEFAULTS.storeTimeoutMs),
    storeLeaseMs: milliseconds('storeLeaseMs', 1, undefined, Number.MAX_SAFE_INTEGER).optional(),
    reportIntervalMs: milliseconds(
      'reportIntervalMs',
      0,
      SYNC_DEFAULTS.reportIntervalMs,
      Number.MAX_SAFE_INTEGER,
    ),
    flushOnExit: flag('flushOnExit'),
    now: func<() => number>('now', 'returning milliseconds, e.g. () => performance.now()').optional(),
  },
  'CustomerSyncOptions',
).superRefine(refuseClientMix('the engine'));

type ParsedOptions = z.infer<typeof optionsSchema>;

/** The options after defaults and validation, as the engine uses them. */
export interface ResolvedSyncOptions<TUser>
  extends Omit<ParsedOptions, ClientOptionKey | 'mapUser' | 'now' | 'storeLeaseMs'>,
    Pick<CustomerSyncOptions<TUser>, ClientOptionKey> {
  mapUser: ((user: TUser) => unknown) | undefined;
  now: () => number;
  storeLeaseMs: number;
  /** Disabled because no API key was set (and enabled was left unset): the engine warns once. */
  missingKey: boolean;
}

const performanceNow = (): number => performance.now();

/**
 * Drops `undefined` keys, merges {@link SYNC_DEFAULTS} under them and validates, once, at construction.
 * @param caller what the user called, named in the error: `new CustomerSync`, `syncCustomers`, …
 */
export function resolveSyncOptions<TUser>(
  options: CustomerSyncOptions<TUser> | undefined,
  caller = 'new CustomerSync',
): ResolvedSyncOptions<TUser> {
  const parsed = parseConfig(caller, optionsSchema, options, SYNC_DEFAULTS);
  const missingKey =
    options?.enabled === undefined && parsed.client === undefined && !hasApiKey(parsed.apiKey);
  if (missingKey && process.env.NODE_ENV === 'production')
    throw new SupportDeskConfigError(
      `${caller}: missing SupportDesk API key: set the SUPPORTDESK_API_KEY environment variable or pass the apiKey option ` +
        '(NODE_ENV is production, so the SDK will not start disabled; pass enabled: false to run without SupportDesk on purpose)',
    );
  return {
    ...(parsed as Omit<ParsedOptions, ClientOptionKey> & Pick<CustomerSyncOptions<TUser>, ClientOptionKey>),
    mapUser: parsed.mapUser as ((user: TUser) => unknown) | undefined,
    now: parsed.now ?? performanceNow,
    storeLeaseMs: parsed.storeLeaseMs ?? defaultLeaseMs(parsed.timeoutMs, parsed.maxRetries),
    enabled: parsed.enabled && !missingKey,
    missingKey,
  };
}

/** Whether an API key is given, as the option or in the environment (an empty one is none). */
const hasApiKey = (option: unknown): boolean =>
  option === undefined ? Boolean(process.env.SUPPORTDESK_API_KEY) : option !== '';

/** The one warning of an engine that started disabled for want of a key: how to set one. */
export function missingKeyWarning(caller: string): string {
  return (
    `${caller}: no SupportDesk API key (neither the apiKey option nor SUPPORTDESK_API_KEY is set), so customer sync ` +
    'is disabled and sends nothing. Set SUPPORTDESK_API_KEY to sync; to try it locally, run `npx supportdesk-emulator` ' +
    'and set SUPPORTDESK_BASE_URL=http://127.0.0.1:4010/api/v1 with any key. With NODE_ENV=production a missing key is an error.'
  );
}
