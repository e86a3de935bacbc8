/** A JSON value as the emulator stores it in `metadata`. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A customer as the emulator stores and returns it. */
export interface Customer {
  /** SupportDesk's own id: `cl` followed by random lowercase hex. */
  id: string;
  /** Your identifier, as decoded from the request path. */
  externalId: string;
  /** Unique per API key, compared case-insensitively. */
  email: string;
  /** Display name, never empty. */
  name: string;
  /** Phone number as sent, free text. */
  phone?: string;
  /** An http(s) URL. */
  avatarUrl?: string;
  /** Free-form JSON; replaced as a whole by an update that sends it. */
  metadata?: { [key: string]: JsonValue };
  /** ISO 8601 time of creation. */
  createdAt: string;
  /** ISO 8601 time of the last upsert of this customer. */
  updatedAt: string;
}

/**
 * A scripted misbehaviour. A request takes the first injected fault that matches it; a fault
 * answers in place of the emulator and never changes stored customers.
 */
export interface Fault {
  /**
   * Answer with this HTTP status instead of handling the request.
   * @default undefined (handle the request normally, after `latencyMs`)
   */
  status?: number;
  /**
   * Body of the fault answer: a string is sent raw as `text/html` (a proxy's error page), an
   * object as JSON. Needs `status`.
   * @default the error envelope with a code fitting `status` (500 `INTERNAL_ERROR`, 429 `RATE_LIMITED`, …)
   */
  body?: string | object;
  /**
   * `Retry-After` header of the fault answer: seconds, or any string such as an HTTP date. Needs `status`.
   * @default undefined (no header)
   */
  retryAfter?: number | string;
  /**
   * Extra headers of the fault answer, e.g. `Location` for a redirect. Needs `status`.
   * @default undefined
   */
  headers?: Record<string, string>;
  /**
   * Wait this long before answering (the fault answer, or the normal one when `status` is not set).
   * @default 0
   */
  latencyMs?: number;
  /**
   * Destroy the connection without any response (after `latencyMs`). Cannot be combined with `status`.
   * @default false
   */
  drop?: boolean;
  /**
   * How many requests the fault applies to; it is removed after the last one.
   * @default unlimited (until `reset()`)
   */
  times?: number;
  /**
   * Apply only to requests for this customer (compared with the decoded path segment).
   * @default undefined (every request)
   */
  externalId?: string;
}

/** One request as the emulator received it. */
export interface RecordedRequest {
  /** HTTP method, uppercase as sent. */
  method: string;
  /** The request target as sent, still percent-encoded, query included. */
  path: string;
  /** The decoded customer id, for requests to `/api/v1/customers/:externalId`. */
  externalId?: string;
  /** The `X-API-Key` header, when one was sent. */
  apiKey?: string;
  /** Request headers, names lowercased; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /**
   * The body: parsed JSON when it is JSON, the raw text otherwise, `undefined` when empty or over
   * 1 MB. A body over 16 KB is kept as its first 16 KB of text, with `bodyTruncated` set.
   */
  body: unknown;
  /** Set when the body was cut at 16 KB (or, when over 1 MB, not kept at all). Absent otherwise. */
  bodyTruncated?: true;
  /** ISO 8601 time the request was received. */
  receivedAt: string;
}

/**
 * A request as the admin API (`GET /__emulator/requests`, `event: request`) and the dashboard
 * show it: the recorded request with its API key masked, and how it was answered.
 */
export interface LoggedRequest extends Omit<RecordedRequest, 'apiKey'> {
  /** 1, 2, 3… in the order received; never reused, not even after a reset. */
  id: number;
  /** The `X-API-Key` header, masked (`sk_t…3f9a`); the `x-api-key` header is masked the same. */
  apiKey?: string;
  /** The status answered, `'dropped'` when no answer was sent, `null` while still being answered. */
  status: number | 'dropped' | null;
  /** From receipt to the end of the answer, in milliseconds; `null` while still being answered. */
  durationMs: number | null;
  /** The injected fault that shaped the answer, when one did; a body over 1 KB is cut to its first 1 KB of text. */
  fault?: Fault;
  /** `true` when the rate limit answered 429. */
  rateLimited?: true;
}

/** A customer as the admin API lists it: with the API key it belongs to, masked. */
export interface ListedCustomer extends Customer {
  /** The API key, masked (`sk_t…3f9a`). */
  apiKey: string;
}

/**
 * Every customer of every key, as `GET /__emulator/snapshot` exports it and
 * `PUT /__emulator/snapshot` restores it. It holds the raw API keys: keep it out of version control.
 */
export interface Snapshot {
  /** The format's version, `1`. */
  version: 1;
  /** ISO 8601 time of the export; ignored on restore. */
  exportedAt?: string;
  /** Each customer with the raw API key it belongs to. */
  customers: Array<Customer & { apiKey: string }>;
}

/** What the emulator reports once it has answered (or dropped) a request. */
export interface ResponseEvent {
  /** HTTP method, uppercase as sent. */
  method: string;
  /** The request target as sent, still percent-encoded. */
  path: string;
  /** The decoded customer id, for requests to `/api/v1/customers/:externalId`. */
  externalId?: string;
  /** The status answered, or `'dropped'` when no answer was sent (a `drop` fault, or the client left first). */
  status: number | 'dropped';
}

/** A token bucket per API key, answering 429 `RATE_LIMITED` with `Retry-After` when empty. */
export interface RateLimit {
  /** Tokens added per second to each key's bucket: the sustained rate a key may send at. */
  perSecond: number;
  /**
   * Most tokens a bucket holds: how many requests a key may send at once after a quiet spell.
   * @default perSecond, rounded down, at least 1
   */
  burst?: number;
}

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /**
   * TCP port to listen on; `0` picks a free one (read it from `emulator.port`).
   * @default 0
   */
  port?: number;
  /**
   * Interface to listen on. Keep the loopback unless you know why not.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * When given, only these keys are accepted and any other key is answered 401.
   * @default undefined (any non-empty key is accepted)
   */
  apiKeys?: readonly string[];
  /**
   * How many of the latest requests `emulator.requests` keeps; `0` keeps none. Bodies are kept
   * up to 16 KB each, so the log stays small however much a test sends.
   * @default 1_000
   */
  maxRecordedRequests?: number;
  /**
   * Limit each API key like a real rate limiter: a request with a key takes a token from that
   * key's bucket, checked before any injected fault; an empty bucket answers 429 `RATE_LIMITED`
   * with `Retry-After` (whole seconds until the next token). Requests without a key take none.
   * @default undefined (no limit)
   */
  rateLimit?: RateLimit;
  /**
   * A request whose headers, or whose body, have not all arrived this long after it started is
   * answered 408 `REQUEST_TIMEOUT` and its connection closed.
   * @default 30_000
   */
  requestTimeoutMs?: number;
  /**
   * Called after each answered or dropped request (the CLI logs with it). Errors it throws are ignored.
   * @default undefined
   */
  onResponse?: (event: ResponseEvent) => void;
}

/** A running emulator. */
export interface Emulator {
  /** Base URL to give the SDK, e.g. `http://127.0.0.1:43121/api/v1`. */
  readonly baseUrl: string;
  /** Origin of the server, e.g. `http://127.0.0.1:43121`. */
  readonly url: string;
  /** The dashboard's URL, e.g. `http://127.0.0.1:43121/`: open it in a browser. */
  readonly dashboardUrl: string;
  /** The port it listens on. */
  readonly port: number;
  /** The latest requests received, oldest first, at most `maxRecordedRequests`. A copy. */
  readonly requests: RecordedRequest[];
  /** How many requests were received since start or `reset()`, not bounded by the record limit. */
  readonly requestCount: number;
  /** Add a fault after those already injected. Throws `TypeError` on an invalid fault. */
  inject(fault: Fault): void;
  /** Set the rate limit (see {@link EmulatorOptions.rateLimit}), or remove it with `undefined`. Buckets start full. */
  setRateLimit(rateLimit: RateLimit | undefined): void;
  /** Drop every customer, fault and recorded request, and zero `requestCount`. */
  reset(): void;
  /** The customers of one API key, in creation order. Copies: changing them changes nothing. */
  customers(apiKey: string): Customer[];
  /** How many recorded `PATCH` upserts (any outcome) there were, for one customer or for all. */
  upsertCount(externalId?: string): number;
  /** Stop listening and close idle and active connections. Safe to call more than once. */
  close(): Promise<void>;
}
