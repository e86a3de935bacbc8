export { type AdapterOptions, createSyncAdapter, type SyncAdapter } from './adapter.js';
export {
  DEFAULT_BASE_URL,
  SupportDeskClient,
  type SupportDeskClientOptions,
  type UpsertOptions,
} from './client.js';
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
export { defaultMapUser, type MappedCustomer } from './mapping.js';
export { MemorySyncStore, type MemorySyncStoreOptions } from './memory-store.js';
export {
  type Customer,
  type CustomerInput,
  type CustomerMetadata,
  customerInputSchema,
  type JsonValue,
  MAX_EXTERNAL_ID_LENGTH,
  type UpsertResult,
} from './schema.js';
export type { ClaimResult, SyncStore, SyncStoreContext } from './store.js';
export {
  CustomerSync,
  type CustomerSyncOptions,
  type Logger,
  type SyncClient,
  type SyncEvent,
  type SyncOutcome,
  type SyncStats,
  type SyncStatus,
} from './sync.js';
