import { afterEach, beforeEach } from 'vitest';
import { type Emulator, type EmulatorOptions, startEmulator } from '../src/index.js';

export const KEY = 'sk_test_alpha';
export const OTHER_KEY = 'sk_test_beta';

/** Options of one raw request to the emulator. */
export interface SendOptions {
  method?: string;
  apiKey?: string | null;
  /** Sent as JSON unless it is a string, which is sent as is. */
  body?: unknown;
  contentType?: string | null;
  signal?: AbortSignal;
}

/** What a request got back: the status, the headers and the body parsed when it is JSON. */
export interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary response shapes.
  body: any;
  text: string;
}

/** Send one request with real fetch; `externalId` is percent-encoded as one segment. */
export async function send(
  emulator: Emulator,
  externalId: string,
  options: SendOptions = {},
): Promise<Answer> {
  return sendTo(emulator, `/api/v1/customers/${encodeURIComponent(externalId)}`, options);
}

/** Send one request to a raw path of the emulator. */
export async function sendTo(emulator: Emulator, path: string, options: SendOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  const apiKey = options.apiKey === undefined ? KEY : options.apiKey;
  if (apiKey !== null) headers['x-api-key'] = apiKey;
  const contentType = options.contentType === undefined ? 'application/json' : options.contentType;
  if (contentType !== null) headers['content-type'] = contentType;
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const response = await fetch(`${emulator.url}${path}`, {
    method: options.method ?? 'PATCH',
    headers,
    ...(body === undefined ? {} : { body }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: keep the text.
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

/** Start one emulator per test and close it after; read it through the returned getter. */
export function useEmulator(options: EmulatorOptions = {}): () => Emulator {
  let emulator: Emulator | undefined;
  beforeEach(async () => {
    emulator = await startEmulator(options);
  });
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });
  return () => {
    if (!emulator) throw new Error('the emulator is only running inside a test');
    return emulator;
  };
}

export const john = { email: 'john@acme.com', name: 'John Doe' };
