export { type AdapterOptions, createSyncAdapter, type SyncAdapter } from './adapter.js';
export { SupportDeskClient, type UpsertOptions } from './client/client.js';
export { DEFAULT_BASE_URL, type SupportDeskClientOptions } from './client/options.js';
export { CustomerSync } from './engine/customer-sync.js';
export { defaultMapUser, type MappedCustomer } from './engine/mapping.js';
export type { CustomerSyncOptions } from './engine/options.js';
export type { SyncEvent, SyncOutcome, SyncStats, SyncStatus } from './engine/outcome.js';
export type { Logger } from './engine/reporter.js';
export type { SyncClient } from './engine/sender-options.js';
export {
  CustomerEmailExistsError,
  SupportDeskApiError,
  SupportDeskAuthError,
  SupportDeskConfigError,
  SupportDeskConnectionError,
  SupportDeskError,
  SupportDeskErrorCode,
  type SupportDeskErrorOptions,
  SupportDeskRateLimitError,
  SupportDeskValidationError,
  type ValidationIssue,
} from './errors.js';
export { type ImportAuthError, importCustomers } from './import/import-customers.js';
export type { ImportOptions } from './import/options.js';
export type { ImportFailure, ImportProgress, ImportSummary } from './import/progress.js';
export {
  type Customer,
  type CustomerInput,
  type CustomerMetadata,
  customerInputSchema,
  type JsonValue,
  MAX_EXTERNAL_ID_LENGTH,
  type UpsertResult,
} from './schema.js';
export { MemorySyncStore, type MemorySyncStoreOptions } from './store/memory-store.js';
export type {
  ClaimResult,
  SendingHoldReason,
  SendingHolds,
  SyncStore,
  SyncStoreContext,
} from './store/store.js';
