export * from '@supportdesk/core';
export { SupportDeskModule } from './module.js';
export type {
  SupportDeskModuleAsyncOptions,
  SupportDeskModuleOptions,
  SupportDeskModuleRootOptions,
  SupportDeskOptionsFactory,
} from './options.js';
export { SupportDeskService } from './service.js';
export { SkipCustomerSync } from './skip-customer-sync.js';
export { SUPPORTDESK_SYNC } from './tokens.js';
