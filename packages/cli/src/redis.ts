import type { SyncStore } from '@supportdesk/core';
import { withTimeout } from '@supportdesk/core/internal';
import { UsageError } from './usage-error.js';

/** How long `--redis` may take to connect before the command gives up. */
const CONNECT_TIMEOUT_MS = 5_000;

/** A connected shared store, and how to let go of it. */
export interface RedisConnection {
  store: SyncStore;
  close(): Promise<void>;
}

/** The URL as it may be shown: a password in it is masked. */
export function shownUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the --redis URL';
  }
}

/**
 * Connects to Redis for `--redis` and wraps the client in a `RedisSyncStore`, the store live sync
 * uses: the import skips users it already synced with the same data, records the ones it sends,
 * and shares the fleet's rate-limit pause. Loaded only when asked for, so other runs start fast.
 */
export async function connectRedis(url: string): Promise<RedisConnection> {
  const [{ RedisSyncStore }, { Redis }] = await Promise.all([
    import('@supportdesk/redis'),
    import('ioredis'),
  ]);
  const client = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  // Errors are reported through the store (its calls fail); an unheard 'error' event would crash.
  client.on('error', () => undefined);
  try {
    await withTimeout(
      client.connect(),
      CONNECT_TIMEOUT_MS,
      () => new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`),
    );
  } catch (error) {
    client.disconnect();
    throw new UsageError(`--redis: cannot connect to ${shownUrl(url)}: ${(error as Error).message}`);
  }
  return {
    store: new RedisSyncStore({ client }),
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
