/**
 * The one way every options object of the SDK is read (client, engine, adapters, stores, import):
 * `undefined` keys dropped, documented defaults merged once, a zod schema checked once, when the
 * object is made. A problem is a {@link SupportDeskConfigError} whose message names what the
 * user called and says how to fix each option: `new CustomerSync: ttlMs must be …`.
 */
import { z } from 'zod';
import { SupportDeskConfigError } from './errors.js';

/**
 * Names what the user called, for messages, when one SDK object builds another: an adapter
 * builds the engine, the engine builds the client, and a missing key must be reported as
 * `syncCustomers: …`, not as a `new SupportDeskClient` the user never wrote. A registered symbol,
 * so options objects keep no visible extra key and every copy of the package agrees on it.
 */
export const callerOf: unique symbol = Symbol.for('supportdesk.callerOf');

/** The caller named in `options` (see {@link callerOf}), or `fallback`. */
export function callerName(options: unknown, fallback: string): string {
  if (typeof options !== 'object' || options === null) return fallback;
  const named = (options as { [callerOf]?: unknown })[callerOf];
  return typeof named === 'string' ? named : fallback;
}

/** Longest delay setTimeout honours; a longer one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

const show = (value: unknown): string => {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
};

/**
 * Validates `options` for `caller` (what the user called, e.g. `new CustomerSync`): drops keys
 * set to `undefined`, merges `defaults` under the rest, and checks them with `schema`.
 *
 * @throws {SupportDeskConfigError} `${caller}: ${problem}; ${problem}`, one problem per option.
 * @example
 * const settings = parseConfig('new MemorySyncStore', schema, options, { maxEntries: 10_000 });
 */
export function parseConfig<T>(
  caller: string,
  schema: z.ZodType<T>,
  options: unknown,
  defaults: object = {},
): T {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options)))
    throw new SupportDeskConfigError(`${caller}: the options must be an object (got ${show(options)})`);
  const given: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options ?? {})) if (value !== undefined) given[key] = value;
  const result = schema.safeParse({ ...defaults, ...given });
  if (result.success) return result.data;
  throw new SupportDeskConfigError(
    `${caller}: ${result.error.issues.map((issue) => issue.message).join('; ')}`,
  );
}

/** An options object that refuses unknown keys, naming them and the type to check them against. */
export function configObject<Shape extends z.ZodRawShape>(shape: Shape, typeName: string) {
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown option${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}: check the spelling against ${typeName}`
        : undefined,
  });
}

/** How {@link integer} describes an option in its message. */
export interface IntegerRule {
  min: number;
  /** @default Number.MAX_SAFE_INTEGER (no upper bound worth naming) */
  max?: number;
  /** Appended to the bounds: `' ms'`. */
  unit?: string;
  /** Named in the message, so the user sees what they replaced. */
  fallback?: number;
}

/** An integer option in `[min, max]`. */
export function integer(name: string, rule: IntegerRule) {
  const { min, max = Number.MAX_SAFE_INTEGER, unit = '', fallback } = rule;
  const range =
    max === Number.MAX_SAFE_INTEGER ? `of at least ${min}${unit}` : `from ${min} to ${max}${unit}`;
  const tail = fallback === undefined ? '' : `; the default is ${fallback}`;
  return z.custom<number>(
    (value) => typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max,
    { error: (issue) => `${name} must be an integer ${range} (got ${show(issue.input)})${tail}` },
  );
}

/** A duration option in milliseconds, at most what a timer can wait. */
export const milliseconds = (name: string, min: number, fallback?: number, max: number = MAX_TIMER_MS) =>
  integer(name, { min, max, unit: ' ms', fallback });

/** A function option; `hint` shows its shape, e.g. `(user) => ({ externalId, email, name })`. */
export function func<T = (...args: never[]) => unknown>(name: string, hint = '') {
  const shape = hint === '' ? '' : ` ${hint}`;
  return z.custom<T>((value) => typeof value === 'function', {
    error: (issue) => `${name} must be a function${shape} (got ${typeof issue.input})`,
  });
}

/** A boolean option. */
export const flag = (name: string) =>
  z.custom<boolean>((value) => typeof value === 'boolean', {
    error: (issue) => `${name} must be true or false (got ${show(issue.input)})`,
  });

/** A non-empty string option; `example` shows a good value. */
export const text = (name: string, example: string) =>
  z.custom<string>((value) => typeof value === 'string' && value !== '', {
    error: (issue) => `${name} must be a non-empty string, e.g. ${example} (got ${show(issue.input)})`,
  });

/** An object option recognised by `test`; `expected` says what it must be. */
export const shaped = <T>(
  name: string,
  test: (value: Record<PropertyKey, unknown>) => boolean,
  expected: string,
) =>
  z.custom<T>(
    (value) => typeof value === 'object' && value !== null && test(value as Record<PropertyKey, unknown>),
    {
      error: () => `${name} must be ${expected}`,
    },
  );
