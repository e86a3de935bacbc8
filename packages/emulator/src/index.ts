export { startEmulator } from './server.js';
export type {
  Customer,
  Emulator,
  EmulatorOptions,
  Fault,
  JsonValue,
  RecordedRequest,
  ResponseEvent,
} from './types.js';
