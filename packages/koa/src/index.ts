export * from '@supportdesk/core';
export {
  type KoaContextLike,
  type SyncCustomersMiddleware,
  type SyncCustomersOptions,
  syncCustomers,
} from './middleware.js';
