export { startEmulator } from './server.js';
export type {
  Customer,
  Emulator,
  EmulatorOptions,
  Fault,
  JsonValue,
  ListedCustomer,
  LoggedRequest,
  RateLimit,
  RecordedRequest,
  ResponseEvent,
  Snapshot,
} from './types.js';
