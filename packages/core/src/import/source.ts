import { isThenable } from '../util.js';

/** The rows of a source, read one at a time whatever kind of iterable it is. */
export type Source<T> = Iterator<T> | AsyncIterator<T>;

/** What {@link nextRow} answers when the import stopped before the source did. */
export const STOPPED: unique symbol = Symbol('stopped');

/** The iterator of an Iterable or AsyncIterable (the async one when it is both). */
export function openSource<T>(source: Iterable<T> | AsyncIterable<T>): Source<T> {
  const openAsync = (source as Partial<AsyncIterable<T>>)[Symbol.asyncIterator];
  if (typeof openAsync === 'function') return openAsync.call(source);
  return (source as Iterable<T>)[Symbol.iterator]();
}

/**
 * The next row: at once from a synchronous iterator, or the first of the async iterator's answer
 * and `stopped` (an import stopped while a slow source was still answering does not wait for it).
 */
export async function nextRow<T>(
  source: Source<T>,
  stopped: Promise<typeof STOPPED>,
): Promise<IteratorResult<T> | typeof STOPPED> {
  const step = source.next();
  if (!isThenable(step)) return step;
  const answer = await Promise.race([step, stopped]);
  // An answer that lost the race is not wanted any more, but its rejection must not go unhandled.
  if (answer === STOPPED) Promise.resolve(step).catch(() => undefined);
  return answer;
}

/** Asks a source the import stopped reading to close (a generator's `finally`, a cursor's close); never throws. */
export function closeQuietly<T>(source: Source<T>): void {
  try {
    const closing = source.return?.();
    if (isThenable(closing)) Promise.resolve(closing).catch(() => undefined);
  } catch {
    // Closing is a courtesy to the source; its failure changes nothing for the import.
  }
}
