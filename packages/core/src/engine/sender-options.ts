import { z } from 'zod';
import { SupportDeskClient } from '../client/client.js';
import { CLIENT_DEFAULTS, type SupportDeskClientOptions } from '../client/options.js';
import { callerOf, func, shaped, text } from '../config.js';
import type { SyncStore } from '../store/store.js';
import type { MappedCustomer } from './mapping.js';
import type { Logger } from './reporter.js';

/**
 * What the sync engine and the import share of their options: the client they send with (or the
 * options to build one), the mapping, the store and the logger, each checked the same way.
 */

/** What the engine needs of a client: a `SupportDeskClient`, or any object with its `upsertCustomer`. */
export type SyncClient = Pick<SupportDeskClient, 'upsertCustomer'> & {
  /** Names the account in a shared store; a client without one shares the namespace `default`. */
  readonly namespace?: string;
};

/** The options of whatever sends customers: a client, or the options of the client it builds. */
export interface SenderOptions<TUser = unknown> {
  /** A client to send with. Give either this or the client options (`apiKey`, `baseUrl`, …), not both. */
  client?: SyncClient | undefined;
  /**
   * The API key, for the client built from these options.
   * @default process.env.SUPPORTDESK_API_KEY
   */
  apiKey?: string | undefined;
  /**
   * The API base URL, for the client built from these options.
   * @default process.env.SUPPORTDESK_BASE_URL, else 'https://supportdesk.innovartx.com/api/v1'
   */
  baseUrl?: string | undefined;
  /**
   * Time limit of one HTTP attempt, for the client built from these options.
   * @default 10_000
   */
  timeoutMs?: number | undefined;
  /**
   * Retries after the first attempt, for the client built from these options.
   * @default 2
   */
  maxRetries?: number | undefined;
  /**
   * A fetch implementation, for the client built from these options.
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
}

/** The options that configure the client a sender builds, refused beside `client`. */
export const CLIENT_OPTION_KEYS = [
  'apiKey',
  'baseUrl',
  'timeoutMs',
  'maxRetries',
  'fetch',
  'userAgent',
] as const;

export type ClientOptionKey = (typeof CLIENT_OPTION_KEYS)[number];

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** The schema of {@link SenderOptions}, `store` and `logger`, for a sender's `configObject`. */
export const senderFields = {
  client: shaped<SyncClient>(
    'client',
    (value) => typeof value.upsertCustomer === 'function',
    'a SupportDeskClient (an object with an upsertCustomer method)',
  ).optional(),
  // The client the sender builds checks these itself.
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
  store: shaped<SyncStore>(
    'store',
    (value) =>
      typeof value.claim === 'function' &&
      typeof value.commit === 'function' &&
      typeof value.release === 'function',
    'a SyncStore (claim, commit and release functions), e.g. new RedisSyncStore(...)',
  ).optional(),
  logger: shaped<Logger>(
    'logger',
    (value) => LOG_LEVELS.every((level) => value[level] === undefined || typeof value[level] === 'function'),
    'an object whose debug, info, warn and error are functions (pino or console)',
  ).optional(),
};

/**
 * A `superRefine` that refuses `client` beside options of the client `builder` would build
 * (`the engine`, `the import`): one of the two would be ignored.
 */
export function refuseClientMix(builder: string) {
  return (
    options: { client?: unknown } & Partial<Record<ClientOptionKey, unknown>>,
    ctx: z.RefinementCtx,
  ) => {
    if (options.client === undefined) return;
    const mixed = CLIENT_OPTION_KEYS.filter((key) => options[key] !== undefined);
    if (mixed.length > 0)
      ctx.addIssue({
        code: 'custom',
        message: `give either client or ${mixed.join(', ')} (they configure the client ${builder} would build), not both`,
      });
  };
}

/**
 * How long a claim in a shared store lasts by default: it must outlast every attempt the client
 * may make, so it lapses only if the holder died.
 */
export function defaultLeaseMs(timeoutMs: unknown, maxRetries: unknown): number {
  const attemptMs = typeof timeoutMs === 'number' ? timeoutMs : CLIENT_DEFAULTS.timeoutMs;
  const retries = typeof maxRetries === 'number' ? maxRetries : CLIENT_DEFAULTS.maxRetries;
  return 2 * attemptMs * (retries + 1);
}

/** The client a sender builds from its own options (`apiKey`, `baseUrl`, …); its errors name `caller`. */
export function buildClient(
  options: Pick<SenderOptions, ClientOptionKey>,
  caller: string,
): SupportDeskClient {
  const { apiKey, baseUrl, timeoutMs, maxRetries, fetch, userAgent } = options;
  const named: SupportDeskClientOptions & { [callerOf]: string } = {
    apiKey,
    baseUrl,
    timeoutMs,
    maxRetries,
    fetch,
    userAgent,
    [callerOf]: caller,
  };
  return new SupportDeskClient(named);
}
