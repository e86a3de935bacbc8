import {
  type CanActivate,
  Controller,
  type ExecutionContext,
  ForbiddenException,
  Get,
  HttpException,
  type INestApplication,
  Injectable,
  type ModuleMetadata,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { type Emulator, startEmulator } from '@supportdesk/emulator';
import { afterEach, beforeEach } from 'vitest';
import { SkipCustomerSync, SupportDeskModule, type SupportDeskModuleRootOptions } from '../src/index.js';

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

/** Refuses every request, as an auth guard refuses one without valid credentials. */
@Injectable()
export class RejectingAuthGuard implements CanActivate {
  canActivate(): boolean {
    throw new UnauthorizedException();
  }
}

/** Refuses a signed-in user, as a roles guard refuses one who lacks the role. */
@Injectable()
export class AdminOnlyGuard implements CanActivate {
  canActivate(): boolean {
    throw new ForbiddenException();
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

  @Get('admin')
  @UseGuards(AdminOnlyGuard)
  admin(): string {
    return 'secret';
  }
}

/** No guard of its own: its user, if any, comes from a global guard. */
@Controller('open')
export class OpenController {
  @Get()
  open(): { open: true } {
    return { open: true };
  }
}

@Controller('locked')
@UseGuards(RejectingAuthGuard)
export class LockedController {
  @Get()
  locked(): string {
    return 'never';
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
    controllers: [AccountController, InternalController, OpenController, LockedController],
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

/** What {@link useNestApp} hands a test: its emulator and the app it boots against it. */
export interface NestAppHarness {
  /** This test's emulator, fresh for every test. */
  readonly emulator: Emulator;
  /** Boots an app with `metadata` (see {@link createApp}), closed after the test. */
  create(metadata: ModuleMetadata): Promise<INestApplication>;
  /** Boots an app importing `SupportDeskModule.forRoot` with the emulator's key and URL under `options`. */
  start(options?: SupportDeskModuleRootOptions): Promise<INestApplication>;
  /** Closes the app now, for a test about what closing does. */
  closeApp(): Promise<void>;
}

/**
 * Starts an emulator before each test and, after it, closes the app the test booted on
 * `platform` and then the emulator.
 */
export function useNestApp(platform: Platform): NestAppHarness {
  let emulator: Emulator | undefined;
  let app: INestApplication | undefined;

  beforeEach(async () => {
    emulator = await startEmulator({ port: 0 });
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    await emulator?.close();
  });

  const harness: NestAppHarness = {
    get emulator() {
      if (!emulator) throw new Error('the emulator starts in beforeEach; read it inside a test');
      return emulator;
    },
    async create(metadata) {
      app = await createApp(platform, metadata);
      return app;
    },
    start: (options = {}) =>
      harness.create({
        imports: [
          SupportDeskModule.forRoot({ apiKey: API_KEY, baseUrl: harness.emulator.baseUrl, ...options }),
        ],
      }),
    async closeApp() {
      await app?.close();
      app = undefined;
    },
  };
  return harness;
}
