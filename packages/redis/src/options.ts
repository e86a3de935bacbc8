import { SupportDeskConfigError } from '@supportdesk/core';
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

/** The client as the store sees it: the commands it sends and the status it checks. */
export interface StoreClient extends ScriptClient {
  readonly status: string;
}

/** The options once checked, defaults filled in. */
export interface ResolvedOptions {
  client: StoreClient;
  prefix: string;
  timeoutMs: number;
}

const KNOWN_OPTIONS = new Set(['client', 'prefix', 'timeoutMs']);

function isStoreClient(value: unknown): value is StoreClient {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.evalsha === 'function' &&
    typeof candidate.eval === 'function' &&
    typeof candidate.status === 'string'
  );
}

function fail(message: string): never {
  throw new SupportDeskConfigError(`RedisSyncStore: ${message}`);
}

/**
 * Checks the options once, at construction, and fills in the defaults. An option set to
 * `undefined` counts as not given, so spreading a partial config object works.
 */
export function resolveOptions(options: RedisSyncStoreOptions | undefined): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    fail('pass an options object: new RedisSyncStore({ client: new Redis(url) })');
  }
  for (const [name, value] of Object.entries(options)) {
    if (value !== undefined && !KNOWN_OPTIONS.has(name))
      fail(`unknown option "${name}" (known: client, prefix, timeoutMs)`);
  }
  const { client, prefix = 'supportdesk', timeoutMs = 100 } = options;
  if (!isStoreClient(client)) {
    fail('`client` must be an ioredis client, e.g. new RedisSyncStore({ client: new Redis(url) })');
  }
  if (typeof prefix !== 'string' || prefix.length === 0) {
    fail('`prefix` must be a non-empty string, e.g. "supportdesk" or "myapp:supportdesk"');
  }
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    fail(`\`timeoutMs\` must be a positive number of milliseconds (got ${String(timeoutMs)})`);
  }
  return { client, prefix, timeoutMs };
}
