import { Readable } from 'node:stream';
import type { InputRow } from '../../src/input/row.js';

/** A stream of `text` cut into chunks of `size` bytes, so rows straddle chunk boundaries. */
export function chunked(text: string, size = 7): Readable {
  const buffer = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let at = 0; at < buffer.length; at += size) chunks.push(buffer.subarray(at, at + size));
  return Readable.from(chunks, { objectMode: false });
}

export async function collect(rows: AsyncIterable<InputRow>): Promise<InputRow[]> {
  const all: InputRow[] = [];
  for await (const row of rows) all.push(row);
  return all;
}
