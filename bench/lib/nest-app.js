import 'reflect-metadata';
import { Controller, Get, Injectable, Module, Req } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR, NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { SupportDeskModule, SupportDeskService } from '@supportdesk/nestjs';
import { finalize } from 'rxjs';
import { engineOptions, profile } from './server.js';
import { sessionLookup } from './users.js';

const noop = () => undefined;

/** A global guard that lets everything in and adds a 'close' listener: the SDK's hook, minus the SDK. */
class NoopCloseGuard {
  canActivate(context) {
    const response = context.getArgByIndex(1);
    (response.raw ?? response).on('close', noop);
    return true;
  }
}
Reflect.decorate([Injectable()], NoopCloseGuard);

/** A global interceptor that does nothing after the handler: what any interceptor costs in Nest. */
class NoopInterceptor {
  intercept(_context, next) {
    return next.handle().pipe(finalize(noop));
  }
}
Reflect.decorate([Injectable()], NoopInterceptor);

const layers = {
  'noop-guard': [{ provide: APP_GUARD, useClass: NoopCloseGuard }],
  'noop-interceptor': [{ provide: APP_INTERCEPTOR, useClass: NoopInterceptor }],
};

/** Sets `user` on each request before Nest routes it, as passport's session middleware would. */
function addAuth(app, platform, lookup) {
  if (platform === 'express') {
    app.use((req, _res, next) => {
      req.user = lookup(req.headers.authorization, req.headers.cookie);
      next();
    });
    return;
  }
  const fastify = app.getHttpAdapter().getInstance();
  fastify.decorateRequest('user', null);
  fastify.addHook('onRequest', (request, _reply, done) => {
    request.user = lookup(request.headers.authorization, request.headers.cookie);
    done();
  });
}

/**
 * The Nest 11 app, in plain JavaScript: the decorators are applied by hand (`Reflect.decorate`),
 * which is what TypeScript's legacy decorators compile to. `platform` is `express` or `fastify`;
 * auth runs before Nest routes the request (an Express middleware, a Fastify `onRequest` hook).
 * `variant`: `baseline` (no global enhancer), `sync` (`SupportDeskModule.forRoot`), `noop-guard`
 * (a global guard that only adds a 'close' listener: the same kind of layer as the SDK's),
 * `noop-interceptor` (a global interceptor that does nothing, for reference).
 *
 * @param {{ users: object[], variant: string, baseUrl: string, platform?: 'express' | 'fastify' }} options
 */
export async function startNestApp({ users, variant, baseUrl, platform = 'express' }) {
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
  Reflect.decorate(
    [Module({ imports, providers: layers[variant] ?? [], controllers: [MeController] })],
    AppModule,
  );

  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = await NestFactory.create(AppModule, adapter, { logger: false });
  addAuth(app, platform, sessionLookup(users));
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
