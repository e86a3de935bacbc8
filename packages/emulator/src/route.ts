/** Path prefix of the upstream API. */
export const API_PREFIX = '/api/v1';

const CUSTOMERS_PREFIX = `${API_PREFIX}/customers/`;

/** Longest externalId SupportDesk accepts. */
export const MAX_EXTERNAL_ID_LENGTH = 255;

/** Where a request target leads. */
export type Route =
  | { kind: 'customer'; externalId: string }
  | { kind: 'bad-external-id'; message: string }
  | { kind: 'not-found' };

/**
 * Match `/api/v1/customers/:externalId` on the raw request target. The id is exactly one
 * segment, split before decoding, so `a%2Fb` is the id `a/b` while `a/b` is a path that does
 * not exist.
 */
export function matchRoute(target: string): Route {
  const queryAt = target.search(/[?#]/);
  const path = queryAt === -1 ? target : target.slice(0, queryAt);
  if (!path.startsWith(CUSTOMERS_PREFIX)) return { kind: 'not-found' };
  const segment = path.slice(CUSTOMERS_PREFIX.length);
  if (segment.length === 0 || segment.includes('/')) return { kind: 'not-found' };
  let externalId: string;
  try {
    externalId = decodeURIComponent(segment);
  } catch {
    return { kind: 'bad-external-id', message: 'externalId is not valid percent-encoding' };
  }
  // A URL resolves `.` and `..` (also as %2E) away, so no client can address such a customer.
  if (externalId === '.' || externalId === '..')
    return {
      kind: 'bad-external-id',
      message: 'externalId must not be "." or "..": a URL cannot carry it as a path segment',
    };
  if (externalId.length > MAX_EXTERNAL_ID_LENGTH)
    return {
      kind: 'bad-external-id',
      message: `externalId must be at most ${MAX_EXTERNAL_ID_LENGTH} characters`,
    };
  return { kind: 'customer', externalId };
}
