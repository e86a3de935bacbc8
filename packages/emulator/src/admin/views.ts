import type { LogEntry } from '../recorder.js';
import type { Customer, Fault, ListedCustomer, LoggedRequest } from '../types.js';

const ELLIPSIS = '…';

/**
 * A key as the admin API and the dashboard show it: at most a sixth of it at each end (four
 * characters at most), enough to tell keys apart; a key under six characters shows none.
 *
 * @example
 * maskKey('sk_live_4eC39HqLyjWDarjtT1zdp7dc'); // 'sk_l…p7dc'
 */
export function maskKey(key: string): string {
  const shown = Math.min(4, Math.floor(key.length / 6));
  return shown === 0 ? ELLIPSIS : `${key.slice(0, shown)}${ELLIPSIS}${key.slice(-shown)}`;
}

/** `customer` of `apiKey` with the key masked. */
export function listedCustomer(apiKey: string, customer: Customer): ListedCustomer {
  return { apiKey: maskKey(apiKey), ...customer };
}

/** Longest fault body a logged request repeats: every entry a fault shaped would carry it. */
const MAX_SHOWN_FAULT_BODY = 1024;

/** `fault` as a logged request shows it: a body longer than 1 KB (as JSON) cut to its first 1 KB of text. */
function shownFault(fault: Readonly<Fault>): Fault {
  if (fault.body === undefined) return fault;
  const text = typeof fault.body === 'string' ? fault.body : JSON.stringify(fault.body);
  if (text.length <= MAX_SHOWN_FAULT_BODY) return fault;
  return { ...fault, body: `${text.slice(0, MAX_SHOWN_FAULT_BODY)}${ELLIPSIS}` };
}

/** A log entry as the admin API shows it: the key masked in both places it appears. */
export function loggedRequest(entry: LogEntry): LoggedRequest {
  const { apiKey, headers, ...request } = entry.request;
  const view: LoggedRequest = {
    id: entry.id,
    ...request,
    headers: Object.hasOwn(headers, 'x-api-key')
      ? { ...headers, 'x-api-key': maskKey(headers['x-api-key'] as string) }
      : headers,
    status: entry.status ?? null,
    durationMs: entry.durationMs ?? null,
  };
  if (apiKey !== undefined) view.apiKey = maskKey(apiKey);
  if (entry.fault) view.fault = shownFault(entry.fault);
  if (entry.rateLimited) view.rateLimited = true;
  return view;
}
