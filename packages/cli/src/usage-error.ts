/**
 * A usage or configuration problem (a missing file, a bad option, a refused key): exit status 2,
 * its message alone on stderr, one line, no stack trace.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}
