// The same tiny app built on every adapter: GET /public (no auth), GET /me (route-level auth
// from the x-user-id / x-user-name headers, placed after the sync middleware), GET /boom (auth,
// then the handler throws). The scenarios in scenarios.test.ts run against each of them.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  Injectable,
  Module,
  Req,
  UseGuards,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { CustomerSync } from '@supportdesk/core';
import { syncCustomers as expressSync } from '@supportdesk/express';
import supportDesk from '@supportdesk/fastify';
import { syncCustomers as koaSync } from '@supportdesk/koa';
import { SupportDeskModule, SupportDeskService } from '@supportdesk/nestjs';
import express5 from 'express';
import express4 from 'express4';
import fastify5 from 'fastify';
import fastify4 from 'fastify4';
import Koa3 from 'koa';
import Koa2 from 'koa2';

export interface TestUser {
  id: string;
  email: string;
  name: string;
}

/** Options every app passes to its adapter. */
export interface SyncSettings {
  apiKey: string;
  baseUrl: string;
  maxRetries?: number;
  timeoutMs?: number;
}

export interface RunningApp {
  url: string;
  sync: CustomerSync;
  /** Stops the app the way its framework does on shutdown. */
  close(): Promise<void>;
}

export function userFromHeaders(
  headers: Record<string, string | string[] | undefined>,
): TestUser | undefined {
  const id = headers['x-user-id'];
  if (typeof id !== 'string') return undefined;
  const name = headers['x-user-name'];
  return { id, email: `${id}@example.com`, name: typeof name === 'string' ? name : `User ${id}` };
}

type ExpressFactory = typeof express5;

/** A listening Express or Koa server as a RunningApp: closing it stops the server, then the engine. */
async function serve(server: Server, sync: CustomerSync): Promise<RunningApp> {
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sync,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sync.close();
    },
  };
}

async function startExpress(createExpress: ExpressFactory, settings: SyncSettings): Promise<RunningApp> {
  const app = createExpress();
  const middleware = expressSync(settings);
  app.use(middleware);
  const requireAuth: express5.RequestHandler = (req, _res, next) => {
    (req as { user?: TestUser }).user = userFromHeaders(req.headers);
    next();
  };
  app.get('/public', (_req, res) => {
    res.send('public');
  });
  app.get('/me', requireAuth, (req, res) => {
    res.json({ id: (req as { user?: TestUser }).user?.id ?? null });
  });
  app.get('/boom', requireAuth, () => {
    throw new Error('boom');
  });
  app.use(((_error, _req, res, _next) => {
    res.status(500).send('handled');
  }) as express5.ErrorRequestHandler);
  return serve(app.listen(0, '127.0.0.1'), middleware.sync);
}

async function startKoa(KoaClass: typeof Koa3, settings: SyncSettings): Promise<RunningApp> {
  const app = new KoaClass();
  app.on('error', () => {}); // /boom is expected; keep the test output clean
  const middleware = koaSync(settings);
  app.use(middleware);
  app.use(async (ctx, next) => {
    if (ctx.path === '/public') {
      ctx.body = 'public';
      return;
    }
    ctx.state.user = userFromHeaders(ctx.headers);
    if (ctx.path === '/boom') throw new Error('boom');
    if (ctx.path === '/me') ctx.body = { id: (ctx.state.user as TestUser | undefined)?.id ?? null };
    await next();
  });
  return serve(app.listen(0, '127.0.0.1'), middleware.sync);
}

/** A Fastify app: the plugin at the root, then routes whose preHandler authenticates after it. */
async function startFastify(createFastify: typeof fastify5, settings: SyncSettings): Promise<RunningApp> {
  const app = createFastify();
  await app.register(supportDesk, settings);
  const requireAuth = async (request: { headers: Record<string, string | string[] | undefined> }) => {
    (request as { user?: TestUser }).user = userFromHeaders(request.headers);
  };
  app.get('/public', async () => 'public');
  app.get('/me', { preHandler: requireAuth }, async (request) => ({
    id: (request as { user?: TestUser }).user?.id ?? null,
  }));
  app.get('/boom', { preHandler: requireAuth }, async () => {
    throw new Error('boom');
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    sync: app.supportdesk,
    // app.close() flushes and closes the engine the plugin built.
    close: () => app.close(),
  };
}

@Injectable()
class HeaderGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string>; user?: TestUser }>();
    request.user = userFromHeaders(request.headers);
    return true;
  }
}

@Controller()
class E2eController {
  @Get('public')
  publicRoute(): string {
    return 'public';
  }

  @Get('me')
  @UseGuards(HeaderGuard)
  me(@Req() request: { user?: TestUser }): { id: string | null } {
    return { id: request.user?.id ?? null };
  }

  @Get('boom')
  @UseGuards(HeaderGuard)
  boom(): never {
    throw new Error('boom');
  }
}

async function startNest(platform: 'express' | 'fastify', settings: SyncSettings): Promise<RunningApp> {
  @Module({
    imports: [SupportDeskModule.forRoot(settings)],
    controllers: [E2eController],
    providers: [HeaderGuard],
  })
  class AppModule {}
  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = await NestFactory.create(AppModule, adapter, { logger: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    sync: app.get(SupportDeskService).sync,
    close: () => app.close(),
  };
}

/** Every adapter, under the name the scenario table prints. */
export const adapters: Record<string, (settings: SyncSettings) => Promise<RunningApp>> = {
  'Express 4': (settings) => startExpress(express4 as unknown as ExpressFactory, settings),
  'Express 5': (settings) => startExpress(express5, settings),
  'Fastify 4': (settings) => startFastify(fastify4 as unknown as typeof fastify5, settings),
  'Fastify 5': (settings) => startFastify(fastify5, settings),
  'Koa 2': (settings) => startKoa(Koa2 as unknown as typeof Koa3, settings),
  'Koa 3': (settings) => startKoa(Koa3, settings),
  'Nest on Express': (settings) => startNest('express', settings),
  'Nest on Fastify': (settings) => startNest('fastify', settings),
};
