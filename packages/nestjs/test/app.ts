import {
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  HttpException,
  type INestApplication,
  Injectable,
  type ModuleMetadata,
  UseGuards,
} from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { SkipCustomerSync } from '../src/index.js';

/** The API key every test app sends to the emulator. */
export const API_KEY = 'sk_nest_test';

/** A user as a test guard puts it on the request. */
export interface TestUser {
  id: string;
  email: string;
  name: string;
}

export const ada: TestUser = { id: 'user_ada', email: 'ada@example.com', name: 'Ada Lovelace' };

/** Both platforms, for `it.each` / `describe.each`. */
export const platforms = ['express', 'fastify'] as const;
export type Platform = (typeof platforms)[number];

/** A real guard: signs the request in from the `x-user-*` headers, as an auth guard would. */
@Injectable()
export class HeaderAuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string>; user?: TestUser }>();
    const id = request.headers['x-user-id'];
    if (id)
      request.user = {
        id,
        email: request.headers['x-user-email'] ?? `${id}@example.com`,
        name: request.headers['x-user-name'] ?? id,
      };
    return true;
  }
}

@Controller()
@UseGuards(HeaderAuthGuard)
export class AccountController {
  @Get('me')
  me(): { ok: true } {
    return { ok: true };
  }

  @Get('teapot')
  teapot(): never {
    throw new HttpException({ reason: 'short and stout' }, 418);
  }

  @Get('health')
  @SkipCustomerSync()
  health(): string {
    return 'up';
  }
}

@Controller('internal')
@UseGuards(HeaderAuthGuard)
@SkipCustomerSync()
export class InternalController {
  @Get()
  list(): string[] {
    return [];
  }

  @Get('opted-in')
  @SkipCustomerSync(false)
  optedIn(): string {
    return 'synced anyway';
  }
}

/** Headers that sign `user` in through {@link HeaderAuthGuard}. */
export function signedInAs(user: TestUser): Record<string, string> {
  return { 'x-user-id': user.id, 'x-user-email': user.email, 'x-user-name': user.name };
}

/** A real Nest app on `platform` (not listening: supertest drives its HTTP server). */
export async function createApp(platform: Platform, metadata: ModuleMetadata): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    controllers: [AccountController, InternalController],
    providers: [HeaderAuthGuard],
    ...metadata,
  }).compile();
  if (platform === 'express') {
    const app = moduleRef.createNestApplication(new ExpressAdapter(), { logger: false });
    return app.init();
  }
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
    logger: false,
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
