import { createServer } from 'node:http';
import { SupportDeskClient } from '@supportdesk/core';
import { syncCustomers } from '@supportdesk/express';
import express5 from 'express';
import express4 from 'express4';
import { closeServer, engineOptions, listen, profile } from './server.js';
import { BENCH_API_KEY } from './upstream.js';
import { mapUser, sessionLookup } from './users.js';

const expressByMajor = { 4: express4, 5: express5 };
const noop = () => undefined;

/** Upserts on every request, keeping the in-flight calls so `flush()` can wait for them. */
function naiveUpserter(baseUrl) {
  const client = new SupportDeskClient({ apiKey: BENCH_API_KEY, baseUrl });
  const pending = new Set();
  const upsert = (user) => {
    if (user === undefined) return;
    const { externalId, ...input } = mapUser(user);
    const call = client.upsertCustomer(externalId, input).then(noop, noop);
    pending.add(call);
    call.finally(() => pending.delete(call));
  };
  return { upsert, flush: async () => void (await Promise.all([...pending])) };
}

/**
 * The Express app: an auth middleware sets `req.user` from the `Authorization` header or the
 * `session` cookie, then `GET /me` answers a small JSON body. `variant` adds one middleware
 * after auth:
 * - `baseline`: none;
 * - `sync`: the SDK's `syncCustomers`;
 * - `noop-middleware`: one that only calls `next()`;
 * - `noop-close`: one that only adds `res.on('close', noop)`: the least any adapter that reads
 *   the user at the response's end can do;
 * - `naive`: an upsert on every response, as an integration without dedupe would send.
 *
 * @param {{ users: object[], variant: string, baseUrl: string, major?: 4 | 5 }} options
 * @returns {Promise<{ port: number, flush(): Promise<unknown>, stats(): object | undefined, close(): Promise<void> }>}
 */
export async function startExpressApp({ users, variant, baseUrl, major = 5 }) {
  const lookup = sessionLookup(users);
  const app = expressByMajor[major]();
  app.use((req, _res, next) => {
    req.user = lookup(req.headers.authorization, req.headers.cookie);
    next();
  });
  let sync;
  let naive;
  if (variant === 'sync') {
    const middleware = syncCustomers(engineOptions(baseUrl));
    sync = middleware.sync;
    app.use(middleware);
  } else if (variant === 'noop-middleware') {
    app.use((_req, _res, next) => next());
  } else if (variant === 'noop-close') {
    app.use((_req, res, next) => {
      res.on('close', noop);
      next();
    });
  } else if (variant === 'naive') {
    naive = naiveUpserter(baseUrl);
    app.use((req, res, next) => {
      res.once('finish', () => naive.upsert(req.user));
      next();
    });
  }
  app.get('/me', (req, res) => {
    res.json(profile(req.user));
  });
  const server = createServer(app);
  const port = await listen(server);
  return {
    port,
    flush: async () => {
      await sync?.flush();
      await naive?.flush();
    },
    stats: () => sync?.stats(),
    close: async () => {
      await closeServer(server);
      await sync?.close();
      await naive?.flush();
    },
  };
}
