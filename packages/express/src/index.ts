export * from '@supportdesk/core';
export { type SyncCustomersMiddleware, type SyncCustomersOptions, syncCustomers } from './middleware.js';
