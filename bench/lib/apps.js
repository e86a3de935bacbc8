import 'reflect-metadata';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { Controller, Get, Injectable, Module, Req } from '@nestjs/common';
import { APP_INTERCEPTOR, NestFactory } from '@nestjs/core';
import { SupportDeskClient } from '@supportdesk/core';
import { syncCustomers as expressSync } from '@supportdesk/express';
import { syncCustomers as koaSync } from '@supportdesk/koa';
import { SupportDeskModule, SupportDeskService } from '@supportdesk/nestjs';
import express from 'express';
import Koa from 'koa';
import { finalize } from 'rxjs';
import { BENCH_API_KEY } from './upstream.js';
import { mapUser, sessionLookup } from './users.js';

/**
 * The benchmark app in each framework: auth sets the user from a header or cookie, then `GET /me`
 * answers a small JSON body. A variant adds one thing, so the figures measure only that thing:
 * - `baseline`: nothing;
 * - `sync`: the SDK's adapter (`syncCustomers`, or `SupportDeskModule` for Nest);
 * - `naive`: an upsert of the user on every request, as an integration without dedupe would do
 *   (Express only);
 * - `interceptor`: a global interceptor that does nothing after the handler, shaped like the
 *   SDK's (Nest only): what Nest's interceptor machinery costs before the SDK does anything.
 *
 * Each `start*App` resolves to `{ port, flush(), stats(), close() }`.
 */

const profile = (user) => ({ id: user?.id ?? null, name: user?.name ?? null });

function engineOptions(baseUrl) {
  return { apiKey: BENCH_API_KEY, baseUrl, mapUser };
}

/** Upserts on every request, keeping the in-flight calls so `flush()` can wait for them. */
function naiveUpserter(baseUrl) {
  const client = new SupportDeskClient({ apiKey: BENCH_API_KEY, baseUrl });
  const pending = new Set();
  const upsert = (user) => {
    if (user === undefined) return;
    const { externalId, ...input } = mapUser(user);
    const call = client.upsertCustomer(externalId, input).then(
      () => undefined,
      () => undefined,
    );
    pending.add(call);
    call.finally(() => pending.delete(call));
  };
  return { upsert, flush: async () => void (await Promise.all([...pending])) };
}

async function listen(server) {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server.address().port;
}

async function closeServer(server) {
  const closed = once(server, 'close');
  server.close();
  server.closeAllConnections();
  await closed;
}

/** The Express 5 app; `variant` is `baseline`, `sync` or `naive`. */
export async function startExpressApp({ users, variant, baseUrl }) {
  const lookup = sessionLookup(users);
  const app = express();
  app.use((req, _res, next) => {
    req.user = lookup(req.headers.authorization, req.headers.cookie);
    next();
  });
  let sync;
  let naive;
  if (variant === 'sync') {
    const middleware = expressSync(engineOptions(baseUrl));
    sync = middleware.sync;
    app.use(middleware);
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
    flush: () => sync?.flush() ?? naive?.flush(),
    stats: () => sync?.stats(),
    close: async () => {
      await closeServer(server);
      await sync?.close();
      await naive?.flush();
    },
  };
}

/** The Koa 3 app; `variant` is `baseline` or `sync`. */
export async function startKoaApp({ users, variant, baseUrl }) {
  const lookup = sessionLookup(users);
  const app = new Koa();
  app.use(async (ctx, next) => {
    ctx.state.user = lookup(ctx.get('authorization') || undefined, ctx.get('cookie') || undefined);
    await next();
  });
  let sync;
  if (variant === 'sync') {
    const middleware = koaSync(engineOptions(baseUrl));
    sync = middleware.sync;
    app.use(middleware);
  }
  app.use((ctx) => {
    if (ctx.method === 'GET' && ctx.path === '/me') ctx.body = profile(ctx.state.user);
  });
  const server = createServer(app.callback());
  const port = await listen(server);
  return {
    port,
    flush: () => sync?.flush(),
    stats: () => sync?.stats(),
    close: async () => {
      await closeServer(server);
      await sync?.close();
    },
  };
}

/** Does what the SDK's interceptor does after the handler, minus the SDK. */
class NoopInterceptor {
  intercept(_context, next) {
    return next.handle().pipe(finalize(() => undefined));
  }
}
Reflect.decorate([Injectable()], NoopInterceptor);

/**
 * The Nest 11 app on platform-express, in plain JavaScript: the decorators are applied by hand
 * (`Reflect.decorate`), which is what TypeScript's legacy decorators compile to. Auth is an
 * Express-level middleware, as passport's session is in most Nest apps.
 */
export async function startNestApp({ users, variant, baseUrl }) {
  const lookup = sessionLookup(users);

  class MeController {
    me(req) {
      return profile(req.user);
    }
  }
  Reflect.decorate([Controller()], MeController);
  Req()(MeController.prototype, 'me', 0);
  Reflect.decorate(
    [Get('me')],
    MeController.prototype,
    'me',
    Object.getOwnPropertyDescriptor(MeController.prototype, 'me'),
  );

  class AppModule {}
  const imports = variant === 'sync' ? [SupportDeskModule.forRoot(engineOptions(baseUrl))] : [];
  const providers =
    variant === 'interceptor' ? [{ provide: APP_INTERCEPTOR, useClass: NoopInterceptor }] : [];
  Reflect.decorate([Module({ imports, providers, controllers: [MeController] })], AppModule);

  const app = await NestFactory.create(AppModule, { logger: false });
  app.use((req, _res, next) => {
    req.user = lookup(req.headers.authorization, req.headers.cookie);
    next();
  });
  await app.listen(0, '127.0.0.1');
  const service = variant === 'sync' ? app.get(SupportDeskService) : undefined;
  return {
    port: app.getHttpServer().address().port,
    flush: () => service?.flush(),
    stats: () => service?.stats(),
    // Nest's close() runs the module's shutdown hook, which closes the engine.
    close: async () => {
      app.getHttpServer().closeAllConnections();
      await app.close();
    },
  };
}

/** The app builders by framework name, for the child process that serves them. */
export const appStarters = { express: startExpressApp, koa: startKoaApp, nest: startNestApp };

/** The variants the throughput benchmark compares, per framework; `baseline` first. */
export const throughputVariants = {
  express: ['baseline', 'sync'],
  koa: ['baseline', 'sync'],
  nest: ['baseline', 'sync', 'interceptor'],
};
