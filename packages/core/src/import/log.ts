import type { Logger } from '../engine/reporter.js';
import type { StoreReporting } from '../store/guarded-store.js';
import { messageOf } from '../util.js';
import { CALLER } from './options.js';

/** A store outage is reported at most once a minute, as the engine's default does. */
const STORE_REPORT_INTERVAL_MS = 60_000;

const consoleLogger: Partial<Logger> = {
  warn: (fields, message) => console.warn(`[supportdesk] ${message}`, fields),
  error: (fields, message) => console.error(`[supportdesk] ${message}`, fields),
};

/** Where an import writes its few log lines: the store's outages, and its own bugs. */
export interface ImportLog extends StoreReporting {
  bug(error: unknown): void;
}

/** The import's log, on `logger` or (by default) the console's warnings and errors. A logger that throws is ignored. */
export function importLog(logger: Partial<Logger> | undefined): ImportLog {
  const target = logger ?? consoleLogger;
  const write = (level: keyof Logger, fields: Record<string, unknown>, message: string) => {
    try {
      target[level]?.(fields, message);
    } catch {
      // A logger that throws must not stop the import.
    }
  };
  return {
    log: { log: write },
    intervalMs: STORE_REPORT_INTERVAL_MS,
    now: () => performance.now(),
    bug: (error) =>
      write('error', { code: 'INTERNAL_ERROR' }, `${CALLER} failed unexpectedly: ${messageOf(error)}`),
  };
}
