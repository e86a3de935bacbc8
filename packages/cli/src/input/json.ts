import { StringDecoder } from 'node:string_decoder';
import { clip, InputError, type InputRow, jsonRow } from './row.js';

/** An element longer than this is a row that did not parse: memory stays bounded on a broken file. */
export const MAX_ELEMENT_CHARS = 8 * 1024 * 1024;

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d, 0xfeff]);
const NEWLINE = 0x0a;

/**
 * One JSON array of rows, read element by element so a file of any size streams. Each element
 * is cut out at its top-level comma (strings, escapes and nesting tracked) and parsed alone,
 * so one broken element is a row that did not parse, with the line it starts on, and the
 * elements after it are read on. No streaming JSON parser at hand reports the line and raw text
 * of an element, which the errors file needs: hence this small scanner.
 */
export async function* jsonRows(chunks: AsyncIterable<Buffer>): AsyncGenerator<InputRow> {
  const decoder = new StringDecoder('utf8');
  let state: 'before' | 'array' | 'after' = 'before';
  let line = 1;
  let bytes = 0;
  let element = '';
  let elementLine = 0;
  let inElement = false;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let overlong = false;

  const finish = (): InputRow | undefined => {
    inElement = false;
    const text = element.trim();
    element = '';
    if (overlong) {
      overlong = false;
      return {
        line: elementLine,
        bytes,
        unparsed: {
          text: clip(text),
          problem: `the row is longer than ${MAX_ELEMENT_CHARS / 1024 / 1024} MB`,
        },
      };
    }
    return text === '' ? undefined : jsonRow(text, elementLine, bytes);
  };

  for await (const chunk of chunks) {
    bytes += chunk.length;
    const text = decoder.write(chunk);
    let from = 0;
    const rows: InputRow[] = [];
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (state === 'before') {
        if (WHITESPACE.has(code)) {
          if (code === NEWLINE) line++;
          continue;
        }
        if (code !== 0x5b)
          throw new InputError('the JSON input must be one array of rows, e.g. [{"id": 1, …}, …]');
        state = 'array';
        continue;
      }
      if (state === 'after') {
        if (code === NEWLINE) line++;
        continue;
      }
      if (!inElement) {
        if (WHITESPACE.has(code) || code === 0x2c) {
          if (code === NEWLINE) line++;
          continue;
        }
        if (code === 0x5d) {
          state = 'after';
          continue;
        }
        inElement = true;
        elementLine = line;
        from = i;
        depth = 0;
      }
      if (code === NEWLINE) line++;
      if (inString) {
        if (escaped) escaped = false;
        else if (code === 0x5c) escaped = true;
        else if (code === 0x22) inString = false;
        continue;
      }
      if (code === 0x22) inString = true;
      else if (code === 0x7b || code === 0x5b) depth++;
      else if ((code === 0x7d || code === 0x5d) && depth > 0) depth--;
      else if (depth === 0 && (code === 0x2c || code === 0x5d)) {
        if (!overlong) element += text.slice(from, i);
        const row = finish();
        if (row !== undefined) rows.push(row);
        if (code === 0x5d) state = 'after';
      }
    }
    if (inElement && !overlong) {
      element += text.slice(from);
      if (element.length > MAX_ELEMENT_CHARS) {
        overlong = true;
        element = element.slice(0, 8_192);
      }
    }
    yield* rows;
  }
  if (state === 'before') throw new InputError('the JSON input is empty: it must be one array of rows');
  if (inElement) {
    element += decoder.end();
    const row = finish();
    if (row !== undefined) yield row;
  }
}
