import { clip, type InputRow, jsonRow } from './row.js';

/** A line longer than this is a row that did not parse: memory stays bounded on a broken file. */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;

const NEWLINE = 0x0a;

/**
 * JSON Lines: one JSON object a line. Blank lines are not rows; `\r\n` endings and a leading BOM
 * are accepted. Lines are split on bytes, so each row knows exactly how far into the input it
 * ends. A line that is not a JSON object is a row that did not parse, with its line number.
 */
export async function* jsonlRows(chunks: AsyncIterable<Buffer>): AsyncGenerator<InputRow> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let overlong = false;
  let line = 0;
  let bytes = 0;
  for await (const chunk of chunks) {
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(NEWLINE, start);
      if (end === -1) {
        const rest = chunk.subarray(start);
        pendingBytes += rest.length;
        if (pendingBytes > MAX_LINE_BYTES) overlong = true;
        // Past the limit only the first bytes are kept, to show in the errors file.
        if (!overlong || pending.length === 0) pending.push(rest);
        break;
      }
      const piece = chunk.subarray(start, end);
      const text = pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
      line++;
      bytes += pendingBytes + piece.length + 1;
      const row =
        overlong || pendingBytes + piece.length > MAX_LINE_BYTES
          ? tooLong(text, line, bytes)
          : parse(text, line, bytes);
      pending = [];
      pendingBytes = 0;
      overlong = false;
      if (row !== undefined) yield row;
      start = end + 1;
    }
  }
  if (pendingBytes > 0) {
    line++;
    bytes += pendingBytes;
    const text = Buffer.concat(pending);
    const row = overlong ? tooLong(text, line, bytes) : parse(text, line, bytes);
    if (row !== undefined) yield row;
  }
}

function parse(buffer: Buffer, line: number, bytes: number): InputRow | undefined {
  let text = buffer.toString('utf8');
  if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return undefined;
  return jsonRow(text.endsWith('\r') ? text.slice(0, -1) : text, line, bytes);
}

function tooLong(buffer: Buffer, line: number, bytes: number): InputRow {
  const text = clip(buffer.subarray(0, 8_192).toString('utf8'));
  return {
    line,
    bytes,
    unparsed: { text, problem: `the line is longer than ${MAX_LINE_BYTES / 1024 / 1024} MB` },
  };
}
