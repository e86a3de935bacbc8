import type { ExecutionContext, FactoryProvider, ModuleMetadata, Type } from '@nestjs/common';
import type { AdapterOptions } from '@supportdesk/core';

/**
 * Options of {@link SupportDeskModule}: the engine's options (`apiKey`, `mapUser`, `ttlMs`, …),
 * or `sync` to share an engine you built, plus how to read the user of a request.
 * `TUser` is what your guards put on the request, as `mapUser` receives it.
 */
export interface SupportDeskModuleOptions<TUser = unknown> extends Omit<AdapterOptions<TUser>, 'getUser'> {
  /**
   * Reads the user to sync from a handler's context. When given, it is called for every
   * context type (HTTP, GraphQL, RPC, WebSocket) and decides; return `undefined` to sync nobody.
   * @default the HTTP request's `user` (as set by `@nestjs/passport` or a guard of your own);
   * other context types are ignored
   */
  getUser?: ((context: ExecutionContext) => unknown) | undefined;
}

/** What `forRoot` takes: the module options and whether the module is global. */
export interface SupportDeskModuleRootOptions<TUser = unknown> extends SupportDeskModuleOptions<TUser> {
  /**
   * Make `SupportDeskService` injectable everywhere without importing the module again.
   * @default true
   */
  isGlobal?: boolean | undefined;
}

/** A class that builds the module options, for `forRootAsync({ useClass })` or `useExisting`. */
export interface SupportDeskOptionsFactory<TUser = unknown> {
  /** Returns the module options, or a promise of them. */
  createSupportDeskOptions(): SupportDeskModuleOptions<TUser> | Promise<SupportDeskModuleOptions<TUser>>;
}

/** What `forRootAsync` takes: exactly one of `useFactory`, `useClass` or `useExisting`. */
export interface SupportDeskModuleAsyncOptions<TUser = unknown> extends Pick<ModuleMetadata, 'imports'> {
  /**
   * Builds the options from the providers named in `inject`, in that order. (`never[]` lets a
   * factory declare the types of what it injects, such as `config: ConfigService`.)
   */
  useFactory?:
    | ((...injected: never[]) => SupportDeskModuleOptions<TUser> | Promise<SupportDeskModuleOptions<TUser>>)
    | undefined;
  /**
   * Providers handed to `useFactory`.
   * @default []
   */
  inject?: FactoryProvider['inject'];
  /** A class the module instantiates to build the options. */
  useClass?: Type<SupportDeskOptionsFactory<TUser>> | undefined;
  /** An existing provider (exported by a module in `imports`) that builds the options. */
  useExisting?: Type<SupportDeskOptionsFactory<TUser>> | undefined;
  /**
   * Make `SupportDeskService` injectable everywhere without importing the module again.
   * @default true
   */
  isGlobal?: boolean | undefined;
}
