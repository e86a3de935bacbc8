import { once } from 'node:events';
import { Redis } from 'ioredis';

/**
 * A fail-fast client as the README recommends, reconnecting quickly so restart tests stay short.
 * Errors are logged by ioredis only when nobody listens, so the tests listen.
 */
export function createClient(url: string): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    retryStrategy: () => 20,
  });
  client.on('error', () => {});
  return client;
}

/** A client that is `ready` when the promise resolves. */
export async function connectClient(url: string): Promise<Redis> {
  const client = createClient(url);
  await client.connect();
  if (client.status !== 'ready') await once(client, 'ready');
  return client;
}
