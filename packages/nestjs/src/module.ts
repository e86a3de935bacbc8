import { type DynamicModule, type ExecutionContext, Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR, Reflector } from '@nestjs/core';
import { createSyncAdapter, type SyncAdapter } from '@supportdesk/core';
import { version } from '../package.json';
import { AwaitSyncInterceptor } from './await-sync-interceptor.js';
import { SupportDeskGuard } from './guard.js';
import { ConfigurableModuleClass, type NestAsyncOptions } from './module-definition.js';
import type {
  SupportDeskModuleAsyncOptions,
  SupportDeskModuleOptions,
  SupportDeskModuleRootOptions,
} from './options.js';
import { SupportDeskService } from './service.js';
import { SyncScope } from './sync-scope.js';
import {
  SUPPORTDESK_ADAPTER,
  SUPPORTDESK_MODULE_OPTIONS,
  SUPPORTDESK_SCOPE,
  SUPPORTDESK_SYNC,
} from './tokens.js';

type Adapter = SyncAdapter<[ExecutionContext]>;

/** The default getUser, for HTTP contexts only: `request.user` (`switchToHttp()` allocates per call). */
function requestUser(context: ExecutionContext): unknown {
  return context.getArgByIndex<{ user?: unknown } | undefined>(0)?.user;
}

/**
 * Syncs the authenticated user of every request into SupportDesk once its response is done
 * (after every guard and the handler), without delaying or failing the response. Global by default.
 *
 * @example
 * @Module({
 *   imports: [
 *     SupportDeskModule.forRoot({
 *       mapUser: (user: User) => ({ externalId: user.id, email: user.email, name: user.name }),
 *     }),
 *   ],
 * })
 * export class AppModule {}
 */
@Module({
  providers: [
    {
      provide: SUPPORTDESK_ADAPTER,
      // Options are validated here, at start-up: a bad one fails the boot with SupportDeskConfigError.
      useFactory: (options: SupportDeskModuleOptions) =>
        createSyncAdapter(options, requestUser, `supportdesk-nestjs/${version}`, 'SupportDeskModule'),
      inject: [SUPPORTDESK_MODULE_OPTIONS],
    },
    {
      provide: SUPPORTDESK_SYNC,
      useFactory: (adapter: Adapter) => adapter.sync,
      inject: [SUPPORTDESK_ADAPTER],
    },
    {
      provide: SUPPORTDESK_SCOPE,
      useFactory: (reflector: Reflector, options: SupportDeskModuleOptions) =>
        new SyncScope(reflector, options.getUser !== undefined),
      inject: [Reflector, SUPPORTDESK_MODULE_OPTIONS],
    },
    SupportDeskService,
    // One of the two hooks, chosen once the options are known (forRootAsync builds them late).
    // Nest leaves out a global enhancer whose factory returns null, so the other costs nothing.
    {
      provide: APP_GUARD,
      useFactory: (adapter: Adapter, scope: SyncScope) =>
        adapter.awaitSync ? null : new SupportDeskGuard(adapter, scope),
      inject: [SUPPORTDESK_ADAPTER, SUPPORTDESK_SCOPE],
    },
    {
      provide: APP_INTERCEPTOR,
      useFactory: (adapter: Adapter, scope: SyncScope) =>
        adapter.awaitSync ? new AwaitSyncInterceptor(adapter, scope) : null,
      inject: [SUPPORTDESK_ADAPTER, SUPPORTDESK_SCOPE],
    },
  ],
  exports: [SupportDeskService, SUPPORTDESK_SYNC],
})
export class SupportDeskModule extends ConfigurableModuleClass {
  /**
   * Configures the module with options known at start-up.
   *
   * @example
   * SupportDeskModule.forRoot({ apiKey: process.env.SUPPORTDESK_API_KEY, mapUser })
   */
  static override forRoot<TUser = unknown>(options: SupportDeskModuleRootOptions<TUser> = {}): DynamicModule {
    // biome-ignore lint/complexity/noThisInStatic: the generated method builds the module from `this`, which must be SupportDeskModule
    return super.forRoot(options as SupportDeskModuleRootOptions);
  }

  /**
   * Configures the module from other providers, such as `ConfigService`.
   *
   * @example
   * SupportDeskModule.forRootAsync({
   *   imports: [ConfigModule],
   *   inject: [ConfigService],
   *   useFactory: (config: ConfigService) => ({ apiKey: config.get('SUPPORTDESK_API_KEY'), mapUser }),
   * })
   */
  static override forRootAsync<TUser = unknown>(
    options: SupportDeskModuleAsyncOptions<TUser>,
  ): DynamicModule {
    // biome-ignore lint/complexity/noThisInStatic: the generated method builds the module from `this`, which must be SupportDeskModule
    return super.forRootAsync(options as NestAsyncOptions);
  }
}
