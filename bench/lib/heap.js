import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection. run.js starts node with `--expose-gc`; started without it, the flag
 * is set at run time and `gc` taken from a fresh context, which V8 then exposes there.
 */
function loadGc() {
  if (typeof globalThis.gc === 'function') return globalThis.gc;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc');
}

const gc = loadGc();

/** Heap in use after full collections, in bytes: what is still reachable, not what is garbage. */
export function settledHeapUsed() {
  // Twice: the first collection can leave objects whose finalizers free more on the second.
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
