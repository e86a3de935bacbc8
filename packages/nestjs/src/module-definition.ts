import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { SupportDeskModuleOptions } from './options.js';
import { SUPPORTDESK_MODULE_OPTIONS } from './tokens.js';

/** The `forRoot` / `forRootAsync` machinery that `SupportDeskModule` extends. */
export const { ConfigurableModuleClass, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<SupportDeskModuleOptions>({
    optionsInjectionToken: SUPPORTDESK_MODULE_OPTIONS,
  })
    .setClassMethodName('forRoot')
    .setFactoryMethodName('createSupportDeskOptions')
    .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
    .build();

/** `forRootAsync`'s options as Nest types them (its `useFactory` takes `any[]`). */
export type NestAsyncOptions = typeof ASYNC_OPTIONS_TYPE;
