/** One row of the input, as the import reads it. */
export interface InputRow {
  /** The 1-based line of the input where the row starts (CSV: the header is line 1). */
  line: number;
  /** Bytes of the input read up to the end of this row: how far along the input the import is. */
  bytes: number;
  /** The row as parsed: an object (a JSONL line, a JSON array element, a CSV record by header). */
  value?: unknown;
  /** A row that did not parse: its raw text, and why. */
  unparsed?: { text: string; problem: string };
}

/** A problem with the input as a whole (not a row): the run cannot go on. */
export class InputError extends Error {
  override name = 'InputError';
}

/** Raw text kept for a row that did not parse: enough to find and fix it, never megabytes. */
export const MAX_RAW_TEXT = 4_096;

/** Cuts `text` to {@link MAX_RAW_TEXT} characters, saying so. */
export function clip(text: string): string {
  return text.length <= MAX_RAW_TEXT ? text : `${text.slice(0, MAX_RAW_TEXT)}…`;
}

/** A parsed JSON value as a row: objects are rows; anything else is a row that did not parse. */
export function jsonRow(text: string, line: number, bytes: number): InputRow {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      line,
      bytes,
      unparsed: { text: clip(text), problem: `not valid JSON: ${(error as Error).message}` },
    };
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { line, bytes, value };
  const kind = Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value;
  return {
    line,
    bytes,
    unparsed: { text: clip(text), problem: `a row must be a JSON object (got ${kind})` },
  };
}
