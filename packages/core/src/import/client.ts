import { SupportDeskClient } from '../client/client.js';
import type { SupportDeskClientOptions } from '../client/options.js';
import { callerOf } from '../config.js';
import type { Logger } from '../engine/reporter.js';
import type { StoreReporting } from '../store/guarded-store.js';
import { messageOf } from '../util.js';
import { CALLER, type ResolvedImportOptions } from './options.js';

/** The client an import builds from its own options, named `importCustomers` in its errors. */
export function buildClient<TUser>(options: ResolvedImportOptions<TUser>): SupportDeskClient {
  const { apiKey, baseUrl, timeoutMs, maxRetries, fetch, userAgent } = options;
  const named: SupportDeskClientOptions & { [callerOf]: string } = {
    apiKey,
    baseUrl,
    timeoutMs,
    maxRetries,
    fetch,
    userAgent,
    [callerOf]: CALLER,
  };
  return new SupportDeskClient(named);
}

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
