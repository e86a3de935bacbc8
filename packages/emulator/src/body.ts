import type { IncomingMessage } from 'node:http';

/** Largest request body the emulator reads, like the upstream's likely proxy limit. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** What was read of a request body. */
export type BodyRead =
  | { kind: 'complete'; text: string }
  | { kind: 'too-large' }
  /** The client went away before the body ended: nobody is left to answer. */
  | { kind: 'aborted' };

/**
 * Read the whole body as UTF-8, keeping at most `limitBytes`. A larger body is drained and
 * discarded, so memory stays bounded and the client still gets its 413 instead of a reset.
 */
export function readBody(req: IncomingMessage, limitBytes: number = MAX_BODY_BYTES): Promise<BodyRead> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    req.resume();
    return Promise.resolve({ kind: 'too-large' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        tooLarge = true;
        chunks.length = 0;
      } else if (!tooLarge) {
        chunks.push(chunk);
      }
    });
    req.on('end', () => {
      resolve(
        tooLarge ? { kind: 'too-large' } : { kind: 'complete', text: Buffer.concat(chunks).toString('utf8') },
      );
    });
    req.on('error', () => resolve({ kind: 'aborted' }));
    req.on('close', () => {
      if (!req.complete) resolve({ kind: 'aborted' });
    });
  });
}
