import { SupportDeskValidationError } from '../errors.js';
import { type CustomerInput, customerInputSchema, externalIdProblem } from '../schema.js';

/**
 * What `mapUser` returns: the customer's `externalId` and the fields to upsert. `externalId` may
 * be a safe integer (an SQL row id, say): it is sent, and appears in outcomes and events, as its
 * decimal string.
 */
export type MappedCustomer = { externalId: string | number } & CustomerInput;

type Fields = Record<string, unknown>;

const isFields = (value: unknown): value is Fields => typeof value === 'object' && value !== null;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** Ids come as strings, numbers (SQL rows), bigints or ObjectId-like objects (Mongo). */
function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'bigint') return String(value);
  if (isFields(value) && typeof value.toHexString === 'function') return String(value);
  return undefined;
}

function joined(first: unknown, last: unknown): string | undefined {
  const parts = [text(first), text(last)].filter((part) => part !== undefined);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

/** Passport profiles list emails and photos as `[{ value }]`. */
function firstValue(list: unknown): string | undefined {
  return Array.isArray(list) && isFields(list[0]) ? text(list[0].value) : undefined;
}

function nameOf(user: Fields): string | undefined {
  const { name } = user;
  // Passport profiles carry `name` as an object: { givenName, familyName }.
  const structured = isFields(name) ? joined(name.givenName, name.familyName) : undefined;
  return (
    text(name) ??
    text(user.displayName) ??
    structured ??
    joined(user.firstName, user.lastName) ??
    joined(user.given_name, user.family_name) ??
    // No name field: a handle is a better name than none (SupportDesk needs one to create a customer).
    text(user.username) ??
    text(user.preferred_username) ??
    text(user.login) ??
    text(user.nickname)
  );
}

/**
 * The mapping used when `mapUser` is not given. Reads the common user shapes: ORM rows,
 * passport profiles and OIDC claims. Returns `null` for a user without an id.
 *
 * - externalId: `id`, `_id` or `sub` (numbers, bigints and ObjectIds as strings)
 * - name: the first of `name`, `displayName`, `name.givenName` + `name.familyName`,
 *   `firstName` + `lastName`, `given_name` + `family_name`; when none is there, the first of
 *   `username`, `preferred_username`, `login`, `nickname` (a Nest JWT `{ sub, username }`,
 *   OIDC claims, a GitHub profile)
 * - email: `email`, `emails[0].value`
 * - phone: `phone`, `phoneNumber`, `phone_number`
 * - avatarUrl: `avatarUrl`, `picture`, `image`, `photos[0].value`
 *
 * @example
 * defaultMapUser({ id: 42, firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' });
 * // → { externalId: '42', name: 'Ada Lovelace', email: 'ada@example.com' }
 */
export function defaultMapUser(user: unknown): (MappedCustomer & { externalId: string }) | null {
  if (!isFields(user)) return null;
  const externalId = idOf(user.id) ?? idOf(user._id) ?? idOf(user.sub);
  if (externalId === undefined) return null;
  const mapped: MappedCustomer & { externalId: string } = { externalId };
  const name = nameOf(user);
  if (name !== undefined) mapped.name = name;
  const email = text(user.email) ?? firstValue(user.emails);
  if (email !== undefined) mapped.email = email;
  const phone = text(user.phone) ?? text(user.phoneNumber) ?? text(user.phone_number);
  if (phone !== undefined) mapped.phone = phone;
  const avatarUrl = text(user.avatarUrl) ?? text(user.picture) ?? text(user.image) ?? firstValue(user.photos);
  if (avatarUrl !== undefined) mapped.avatarUrl = avatarUrl;
  return mapped;
}

/**
 * The id a mapped `externalId` is sent, cached and reported under: a string as it is, a safe
 * integer as its decimal string; `undefined` for anything else (which {@link toUpsertRequest}
 * refuses). Cheap enough for the already-synced fast path.
 *
 * @example
 * externalIdKey(42); // → '42'
 * externalIdKey(1.5); // → undefined
 */
export function externalIdKey(externalId: unknown): string | undefined {
  if (typeof externalId === 'string') return externalId;
  return Number.isSafeInteger(externalId) ? String(externalId) : undefined;
}

/** What a value that is not an id is, for a message: `number 1.5`, `null`, `object`. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'number' ? `number ${value}` : typeof value;
}

/** A mapped customer split into what the client sends, or why it cannot be sent. */
export type UpsertRequest =
  | { externalId: string; input: CustomerInput; error?: undefined }
  | { externalId: string; input?: undefined; error: SupportDeskValidationError };

/**
 * Checks a mapped customer with the client's own rules, so a bad payload is `invalid` before it
 * takes a queue slot. The input keeps the caller's objects (a `__proto__` key stays data).
 */
export function toUpsertRequest(mapped: Fields): UpsertRequest {
  const { externalId, ...input } = mapped;
  const key = externalIdKey(externalId);
  const id = key ?? String(externalId);
  const idProblem =
    key === undefined
      ? `externalId must be a string or a safe integer (got ${kindOf(externalId)})`
      : externalIdProblem(key);
  if (idProblem !== undefined)
    return {
      externalId: id,
      error: new SupportDeskValidationError(`mapUser returned a bad externalId: ${idProblem}`, {
        externalId: id,
      }),
    };
  const parsed = customerInputSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
    }));
    const summary = issues
      .map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message))
      .join('; ');
    return {
      externalId: id,
      error: new SupportDeskValidationError(`mapUser returned an invalid customer: ${summary}`, {
        externalId: id,
        issues,
      }),
    };
  }
  return { externalId: id, input: input as CustomerInput };
}
