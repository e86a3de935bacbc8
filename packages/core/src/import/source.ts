import { isThenable } from '../util.js';

/** The rows of a source, read one at a time whatever kind of iterable it is. */
export type Source<T> = Iterator<T> | AsyncIterator<T>;

/** What {@link nextRow} answers when the import stopped before the source did. */
export const STOPPED: unique symbol = Symbol('stopped');

/**
 * Tells the reads waiting on a slow source that the import stopped. Each read registers itself
 * and removes itself when it settles, so a million reads leave nothing behind (a `Promise.race`
 * against one long-lived "stopped" promise would add a reaction to it on every row, for good).
 */
export class StopSignal {
  readonly #waiting = new Set<() => void>();
  #stopped = false;

  /** Reads waiting now (for tests: it must go back to 0). */
  get waiting(): number {
    return this.#waiting.size;
  }

  stop(): void {
    this.#stopped = true;
    for (const wake of this.#waiting) wake();
    this.#waiting.clear();
  }

  /** Calls `wake` on stop; the returned function unregisters it. */
  listen(wake: () => void): () => void {
    if (this.#stopped) {
      wake();
      return () => undefined;
    }
    this.#waiting.add(wake);
    return () => this.#waiting.delete(wake);
  }
}

/** The iterator of an Iterable or AsyncIterable (the async one when it is both). */
export function openSource<T>(source: Iterable<T> | AsyncIterable<T>): Source<T> {
  const openAsync = (source as Partial<AsyncIterable<T>>)[Symbol.asyncIterator];
  if (typeof openAsync === 'function') return openAsync.call(source);
  return (source as Iterable<T>)[Symbol.iterator]();
}

/**
 * The next row: at once from a synchronous iterator, or the first of the async iterator's answer
 * and `stop` (an import stopped while a slow source was still answering does not wait for it;
 * the answer that comes later is dropped, a rejection included).
 */
export function nextRow<T>(
  source: Source<T>,
  stop: StopSignal,
): IteratorResult<T> | Promise<IteratorResult<T> | typeof STOPPED> {
  const step = source.next();
  if (!isThenable(step)) return step;
  return new Promise((resolve, reject) => {
    const unlisten = stop.listen(() => resolve(STOPPED));
    Promise.resolve(step).then(
      (value) => {
        unlisten();
        resolve(value);
      },
      (error: unknown) => {
        unlisten();
        reject(error);
      },
    );
  });
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
