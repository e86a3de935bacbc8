import { type DynamicModule, type ExecutionContext, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { createSyncAdapter, type SyncAdapter } from '@supportdesk/core';
import { version } from '../package.json';
import { SupportDeskInterceptor } from './interceptor.js';
import { ConfigurableModuleClass, type NestAsyncOptions } from './module-definition.js';
import type {
  SupportDeskModuleAsyncOptions,
  SupportDeskModuleOptions,
  SupportDeskModuleRootOptions,
} from './options.js';
import { SupportDeskService } from './service.js';
import { SUPPORTDESK_ADAPTER, SUPPORTDESK_MODULE_OPTIONS, SUPPORTDESK_SYNC } from './tokens.js';

function requestUser(context: ExecutionContext): unknown {
  return context.switchToHttp().getRequest<{ user?: unknown }>().user;
}

/**
 * Syncs the authenticated user of every request into SupportDesk, after the guards and the
 * handler have run, without delaying or failing the response. Global by default.
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
      useFactory: (adapter: SyncAdapter<[ExecutionContext]>) => adapter.sync,
      inject: [SUPPORTDESK_ADAPTER],
    },
    SupportDeskService,
    { provide: APP_INTERCEPTOR, useClass: SupportDeskInterceptor },
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
