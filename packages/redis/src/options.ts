import { SupportDeskConfigError } from '@supportdesk/core';
import { configObject, milliseconds, parseConfig, shaped, text } from '@supportdesk/core/internal';
import type { Cluster, Redis } from 'ioredis';
import type { ScriptClient } from './scripts.js';

/** Options of {@link RedisSyncStore}. */
export interface RedisSyncStoreOptions {
  /**
   * A connected ioredis client (`new Redis(...)` or `new Cluster(...)`). It stays yours: the store
   * never connects, configures or quits it, and sends commands only while its status is `ready`.
   * For fail-fast behaviour create it with `enableOfflineQueue: false` and a small
   * `maxRetriesPerRequest` (see the README).
   */
  client: Redis | Cluster;
  /**
   * First segment of every key: `${prefix}:${namespace}:${externalId}`. Give each app sharing a
   * Redis its own prefix.
   * @default 'supportdesk'
   */
  prefix?: string | undefined;
  /**
   * How long one Redis call may take before the store gives up on it and rejects, so the engine
   * answers from its in-memory cache instead of waiting.
   * @default 100
   */
  timeoutMs?: number | undefined;
}

/** The client as the store sees it: the commands it sends, the status it checks, the events it waits for. */
export interface StoreClient extends ScriptClient {
  readonly status: string;
  once(event: 'ready' | 'end', listener: () => void): unknown;
  off(event: 'ready' | 'end', listener: () => void): unknown;
}

/** The options once checked, defaults filled in. */
export interface ResolvedOptions {
  client: StoreClient;
  prefix: string;
  timeoutMs: number;
}

const REDIS_STORE_DEFAULTS = { prefix: 'supportdesk', timeoutMs: 100 } as const;

const optionsSchema = configObject(
  {
    client: shaped<StoreClient>(
      'client',
      (value) =>
        typeof value.evalsha === 'function' &&
        typeof value.eval === 'function' &&
        typeof value.once === 'function' &&
        typeof value.off === 'function' &&
        typeof value.status === 'string',
      'an ioredis client, e.g. new RedisSyncStore({ client: new Redis(url) })',
    ),
    prefix: text('prefix', '"supportdesk" or "myapp:supportdesk"'),
    timeoutMs: milliseconds('timeoutMs', 1, REDIS_STORE_DEFAULTS.timeoutMs),
  },
  'RedisSyncStoreOptions',
);

/**
 * Checks the options once, at construction, and fills in the defaults. An option set to
 * `undefined` counts as not given, so spreading a partial config object works.
 */
export function resolveOptions(options: RedisSyncStoreOptions | undefined): ResolvedOptions {
  if (options === undefined)
    throw new SupportDeskConfigError(
      'new RedisSyncStore: pass an options object, e.g. new RedisSyncStore({ client: new Redis(url) })',
    );
  return parseConfig('new RedisSyncStore', optionsSchema, options, REDIS_STORE_DEFAULTS);
}
