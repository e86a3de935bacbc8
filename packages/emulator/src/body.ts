import type { IncomingMessage } from 'node:http';

/** Largest request body the emulator reads, like the upstream's likely proxy limit. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** What was read of a request body. */
export type BodyRead =
  | { kind: 'complete'; text: string }
  | { kind: 'too-large' }
  /** The body did not end within the time allowed: a stalled or deliberately slow client. */
  | { kind: 'timeout' }
  /** The client went away before the body ended: nobody is left to answer. */
  | { kind: 'aborted' };

/**
 * Read the whole body as UTF-8, keeping at most `limitBytes`. A larger body is drained and
 * discarded, so memory stays bounded and the client still gets its 413 instead of a reset. A
 * body still incomplete after `timeoutMs` is given up on, so a slow client cannot hold a
 * connection open for ever.
 */
export function readBody(
  req: IncomingMessage,
  timeoutMs: number,
  limitBytes: number = MAX_BODY_BYTES,
): Promise<BodyRead> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    req.resume();
    return Promise.resolve({ kind: 'too-large' });
  }
  return new Promise<BodyRead>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      chunks.length = 0;
      resolve({ kind: 'timeout' });
    }, timeoutMs);
    timer.unref();
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        tooLarge = true;
        chunks.length = 0;
      } else if (!tooLarge && !timedOut) {
        chunks.push(chunk);
      }
    });
    req.on('end', () => {
      clearTimeout(timer);
      resolve(
        tooLarge ? { kind: 'too-large' } : { kind: 'complete', text: Buffer.concat(chunks).toString('utf8') },
      );
    });
    req.on('error', () => resolve({ kind: 'aborted' }));
    req.on('close', () => {
      clearTimeout(timer);
      if (!req.complete) resolve({ kind: 'aborted' });
    });
  });
}
