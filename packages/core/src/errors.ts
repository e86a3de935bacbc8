/**
 * Error codes the SDK can report. The two business codes come from the upstream API; the
 * others name the failures every real API has but the upstream page leaves undocumented.
 */
export const SupportDeskErrorCode = {
  VALIDATION_ERROR: 'VALIDATION_ERROR',
  CUSTOMER_EMAIL_EXISTS: 'CUSTOMER_EMAIL_EXISTS',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  RATE_LIMITED: 'RATE_LIMITED',
  API_ERROR: 'API_ERROR',
  CONNECTION_ERROR: 'CONNECTION_ERROR',
  TIMEOUT: 'TIMEOUT',
  ABORTED: 'ABORTED',
  CONFIG_ERROR: 'CONFIG_ERROR',
  INVALID_RESPONSE: 'INVALID_RESPONSE',
  QUEUE_FULL: 'QUEUE_FULL',
  CLOSED: 'CLOSED',
} as const;

/** A known error code, or a code the API sent that this version of the SDK does not know. */
export type SupportDeskErrorCode =
  | (typeof SupportDeskErrorCode)[keyof typeof SupportDeskErrorCode]
  | (string & Record<never, never>);

/** What every SupportDesk error may carry besides its message. */
export interface SupportDeskErrorOptions {
  /** HTTP status of the response, when there was one. */
  status?: number | undefined;
  /** Business code from the error body, or one of {@link SupportDeskErrorCode}. */
  code?: SupportDeskErrorCode | undefined;
  /** Whether sending the same request again may succeed. */
  retryable?: boolean | undefined;
  /** The customer the failed call was about. */
  externalId?: string | undefined;
  /** The underlying error. */
  cause?: unknown;
}

/** A class of this module, or a subclass of one. */
type ErrorClass<T = SupportDeskError> = abstract new (...args: never[]) => T;

/** Where each class keeps the registered symbol its instances carry (see {@link brand}). */
const BRAND = Symbol('supportdesk.error.brand');

/**
 * Marks `type` and its instances with `Symbol.for('supportdesk.error.<name>')`. The symbol is in
 * the global registry, so every copy of this module (the CommonJS and the ESM build, or two
 * installed versions) marks its classes with the same one, and `instanceof` can recognise an
 * error made by another copy. The name is given, not read from `type.name`, which minifiers change.
 */
function brand(type: ErrorClass, name: string): void {
  const symbol = Symbol.for(`supportdesk.error.${name}`);
  Object.defineProperty(type.prototype, symbol, { value: true });
  Object.defineProperty(type, BRAND, { value: symbol });
}

/** `value instanceof type`, by prototype chain or, for a class of this module, by brand. */
function isInstance(type: ErrorClass<unknown>, value: unknown): boolean {
  if (Function.prototype[Symbol.hasInstance].call(type, value)) return true;
  if (typeof value !== 'object' || value === null || !Object.hasOwn(type, BRAND)) return false;
  const symbol = (type as unknown as Record<typeof BRAND, symbol>)[BRAND];
  return (value as Record<symbol, unknown>)[symbol] === true;
}

/**
 * Base class of every error the SDK throws or reports. Check `instanceof` a subclass, or
 * read `code` and `status`. `instanceof` also holds across module formats: an error thrown by
 * the CommonJS build is an instance of the class imported from the ESM build, and back.
 *
 * @example
 * try {
 *   await client.upsertCustomer('user_42', input);
 * } catch (error) {
 *   if (error instanceof CustomerEmailExistsError) { ... }
 * }
 */
export class SupportDeskError extends Error {
  override name = 'SupportDeskError';
  /** HTTP status of the response, when there was one. */
  readonly status: number | undefined;
  /** Business code from the error body, or one of {@link SupportDeskErrorCode}. */
  readonly code: SupportDeskErrorCode;
  /** Whether sending the same request again may succeed. */
  readonly retryable: boolean;
  /** The customer the failed call was about. */
  readonly externalId: string | undefined;

  static {
    brand(SupportDeskError, 'SupportDeskError');
  }

  /**
   * `value instanceof ThisClass`: its prototype chain holds this class, or it carries this
   * class's brand (it was made by another copy of the SDK). A subclass you write is checked by
   * its prototype chain only.
   */
  static override [Symbol.hasInstance]<T>(this: ErrorClass<T>, value: unknown): value is T {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class right of `instanceof`, a subclass included.
    return isInstance(this, value);
  }

  constructor(message: string, options: SupportDeskErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
    this.code = options.code ?? SupportDeskErrorCode.API_ERROR;
    this.retryable = options.retryable ?? false;
    this.externalId = options.externalId;
  }

  /** A plain object for structured loggers; never holds the API key. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      status: this.status,
      code: this.code,
      retryable: this.retryable,
      externalId: this.externalId,
    };
  }
}

/** One problem found in an input, as a path into it and a message. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/**
 * The input was refused: locally before any request (bad externalId, email, payload size…),
 * or by SupportDesk with 400 `VALIDATION_ERROR`. Never retried.
 */
export class SupportDeskValidationError extends SupportDeskError {
  override name = 'SupportDeskValidationError';

  static {
    brand(SupportDeskValidationError, 'SupportDeskValidationError');
  }
  /** Each problem found, when known. */
  readonly issues: readonly ValidationIssue[];

  constructor(
    message: string,
    options: SupportDeskErrorOptions & { issues?: readonly ValidationIssue[] } = {},
  ) {
    super(message, { code: SupportDeskErrorCode.VALIDATION_ERROR, ...options, retryable: false });
    this.issues = options.issues ?? [];
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues };
  }
}

/** 409 `CUSTOMER_EMAIL_EXISTS`: another customer of this app already has that email. */
export class CustomerEmailExistsError extends SupportDeskError {
  override name = 'CustomerEmailExistsError';

  static {
    brand(CustomerEmailExistsError, 'CustomerEmailExistsError');
  }

  constructor(message: string, options: SupportDeskErrorOptions = {}) {
    super(message, {
      status: 409,
      code: SupportDeskErrorCode.CUSTOMER_EMAIL_EXISTS,
      ...options,
      retryable: false,
    });
  }
}

/** 401 or 403: the API key is missing, wrong or not allowed to do this. */
export class SupportDeskAuthError extends SupportDeskError {
  override name = 'SupportDeskAuthError';

  static {
    brand(SupportDeskAuthError, 'SupportDeskAuthError');
  }

  constructor(message: string, options: SupportDeskErrorOptions = {}) {
    super(message, {
      code: options.status === 403 ? SupportDeskErrorCode.FORBIDDEN : SupportDeskErrorCode.UNAUTHORIZED,
      ...options,
      retryable: false,
    });
  }
}

/** 429: too many requests. `retryAfterMs` says how long SupportDesk asked to wait, when it did. */
export class SupportDeskRateLimitError extends SupportDeskError {
  override name = 'SupportDeskRateLimitError';

  static {
    brand(SupportDeskRateLimitError, 'SupportDeskRateLimitError');
  }
  /** How long to wait before the next request, from `Retry-After`, when SupportDesk sent it. */
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    options: SupportDeskErrorOptions & { retryAfterMs?: number | undefined } = {},
  ) {
    super(message, { status: 429, code: SupportDeskErrorCode.RATE_LIMITED, retryable: true, ...options });
    this.retryAfterMs = options.retryAfterMs;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), retryAfterMs: this.retryAfterMs };
  }
}

/** Any other unsuccessful response (5xx, an unexpected 4xx, a body that is not the documented shape). */
export class SupportDeskApiError extends SupportDeskError {
  override name = 'SupportDeskApiError';

  static {
    brand(SupportDeskApiError, 'SupportDeskApiError');
  }
}

/** The request did not get a response: network error, timeout or abort. */
export class SupportDeskConnectionError extends SupportDeskError {
  override name = 'SupportDeskConnectionError';

  static {
    brand(SupportDeskConnectionError, 'SupportDeskConnectionError');
  }

  constructor(message: string, options: SupportDeskErrorOptions = {}) {
    super(message, { code: SupportDeskErrorCode.CONNECTION_ERROR, retryable: true, ...options });
  }
}

/** The SDK was set up wrongly (missing API key, a bad option). Thrown at construction, never during a request. */
export class SupportDeskConfigError extends SupportDeskError {
  override name = 'SupportDeskConfigError';

  static {
    brand(SupportDeskConfigError, 'SupportDeskConfigError');
  }

  constructor(message: string, options: SupportDeskErrorOptions = {}) {
    super(message, { code: SupportDeskErrorCode.CONFIG_ERROR, ...options, retryable: false });
  }
}
