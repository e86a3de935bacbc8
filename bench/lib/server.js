import { once } from 'node:events';
import { BENCH_API_KEY } from './upstream.js';
import { mapUser } from './users.js';

/** The engine options every benchmark app gives its adapter. */
export function engineOptions(baseUrl) {
  return { apiKey: BENCH_API_KEY, baseUrl, mapUser };
}

/** The small JSON body `GET /me` answers in every app. */
export const profile = (user) => ({ id: user?.id ?? null, name: user?.name ?? null });

/** Listens on 127.0.0.1 on a free port; resolves to the port. */
export async function listen(server) {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server.address().port;
}

/** Closes `server` and every connection still open on it (autocannon keeps them alive). */
export async function closeServer(server) {
  const closed = once(server, 'close');
  server.close();
  server.closeAllConnections();
  await closed;
}
