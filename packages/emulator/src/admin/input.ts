import { faultProblem } from '../faults.js';
import { rateLimitProblem } from '../rate-limit.js';
import type { Fault, RateLimit } from '../types.js';
import { isPlainObject } from '../validate.js';

/** A checked admin body, or why it is refused (a message that names the field). */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const FAULT_FIELDS = ['status', 'body', 'retryAfter', 'headers', 'latencyMs', 'drop', 'times', 'externalId'];

/**
 * Check the body of `POST /__emulator/faults`: the fields of `inject()`, nothing else, and a
 * `status` that is an HTTP error (400–599), since a script or a page scripts failures.
 */
export function parseFault(value: unknown): Parsed<Fault> {
  if (!isPlainObject(value)) return { ok: false, message: 'a fault must be a JSON object' };
  for (const field of Object.keys(value))
    if (!FAULT_FIELDS.includes(field))
      return { ok: false, message: `${field} is not a fault field (use ${FAULT_FIELDS.join(', ')})` };
  const { status } = value;
  if (
    status !== undefined &&
    !(Number.isInteger(status) && (status as number) >= 400 && (status as number) <= 599)
  )
    return {
      ok: false,
      message: `status must be an HTTP error status from 400 to 599 (got ${JSON.stringify(status)})`,
    };
  const problem = faultProblem(value as Fault);
  return problem ? { ok: false, message: problem } : { ok: true, value: value as Fault };
}

/** Check the body of `PUT /__emulator/rate-limit`: `{ perSecond, burst? }`. */
export function parseRateLimit(value: unknown): Parsed<RateLimit> {
  const problem = rateLimitProblem(value);
  return problem ? { ok: false, message: problem } : { ok: true, value: value as RateLimit };
}
