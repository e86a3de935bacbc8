import { fingerprint } from '../engine/fingerprint.js';
import { toUpsertRequest } from '../engine/mapping.js';
import { SupportDeskValidationError } from '../errors.js';
import type { CustomerInput } from '../schema.js';
import { isThenable, messageOf } from '../util.js';

/** A row ready to send: what the client takes, and the fingerprint the store knows it by. */
export interface Ready {
  kind: 'ready';
  externalId: string;
  input: CustomerInput;
  /** Only with a store (it is how the store knows the payload); `''` without one. */
  fingerprint: string;
}

/** What mapping and validating one row gave. */
export type Prepared =
  | Ready
  | { kind: 'ignored' }
  | { kind: 'invalid'; externalId: string | undefined; error: SupportDeskValidationError };

const IGNORED = { kind: 'ignored' } as const;

const unreadable = (problem: string, cause?: unknown): Prepared => ({
  kind: 'invalid',
  externalId: undefined,
  error: new SupportDeskValidationError(`mapUser failed, the row was not sent: ${problem}`, { cause }),
});

/**
 * Maps one row with `mapUser` (sync or async) and checks it with the engine's own rules
 * (`toUpsertRequest`, `fingerprint`): `ignored` for `null`/`undefined`, `invalid` for a throw, a
 * rejection, a non-object or a payload the client would refuse. Never throws or rejects.
 */
export function prepare(
  user: unknown,
  mapUser: (user: never) => unknown,
  withFingerprint: boolean,
): Prepared | Promise<Prepared> {
  let mapped: unknown;
  try {
    mapped = mapUser(user as never);
  } catch (error) {
    return unreadable(messageOf(error), error);
  }
  if (!isThenable(mapped)) return check(mapped, withFingerprint);
  return Promise.resolve(mapped).then(
    (value) => check(value, withFingerprint),
    (error: unknown) => unreadable(messageOf(error), error),
  );
}

function check(mapped: unknown, withFingerprint: boolean): Prepared {
  if (mapped === null || mapped === undefined) return IGNORED;
  if (typeof mapped !== 'object' || Array.isArray(mapped))
    return unreadable(
      `mapUser must return an object or null (got ${Array.isArray(mapped) ? 'an array' : typeof mapped})`,
    );
  const request = toUpsertRequest(mapped as Record<string, unknown>);
  if (request.error !== undefined)
    return { kind: 'invalid', externalId: request.externalId, error: request.error };
  let print = '';
  try {
    if (withFingerprint) print = fingerprint(mapped);
  } catch (error) {
    return {
      kind: 'invalid',
      externalId: request.externalId,
      error: new SupportDeskValidationError(`mapUser returned an invalid customer: ${messageOf(error)}`, {
        externalId: request.externalId,
        cause: error,
      }),
    };
  }
  return { kind: 'ready', externalId: request.externalId, input: request.input, fingerprint: print };
}
