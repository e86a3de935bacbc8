import type { InputRow } from './row.js';

/** One line of an errors file: a row that failed or was invalid, and why. */
export interface ErrorEntry {
  /** The 1-based line of the input the row starts on (CSV: the header is line 1). */
  line: number;
  /** The row's position in the input, from 0. */
  index: number;
  externalId?: string;
  error: { code: string; message: string };
  /** The row as parsed, or its raw text when it did not parse. */
  row: unknown;
}

/** Whether a parsed JSONL line is an errors file's entry (then the file is read as its rows). */
export function isErrorEntry(value: unknown): value is ErrorEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Partial<ErrorEntry>;
  const error = entry.error as Partial<ErrorEntry['error']> | undefined;
  return (
    'row' in entry &&
    typeof entry.line === 'number' &&
    typeof entry.index === 'number' &&
    typeof error === 'object' &&
    error !== null &&
    typeof error.message === 'string'
  );
}

/**
 * An errors file given back as the input: each entry is read as the row it holds, so the rows
 * that failed are imported again once fixed. A row kept as raw text (it did not parse) is read
 * as JSON if it now is a JSON object (fixed by hand), and is invalid again otherwise. Whether the
 * input is an errors file is decided by its first row: then every entry is read as its row.
 */
export async function* unwrapErrorsFile(rows: AsyncIterable<InputRow>): AsyncGenerator<InputRow> {
  let errorsFile: boolean | undefined;
  for await (const row of rows) {
    errorsFile ??= isErrorEntry(row.value);
    yield errorsFile && isErrorEntry(row.value) ? asRow(row, row.value) : row;
  }
}

function asRow({ line, bytes }: InputRow, entry: ErrorEntry): InputRow {
  if (typeof entry.row !== 'string') return { line, bytes, value: entry.row };
  try {
    const value: unknown = JSON.parse(entry.row);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { line, bytes, value };
  } catch {
    // Still raw text: invalid again, as it was.
  }
  const problem = `still not a row (${entry.error.message}): fix its raw text into a JSON object`;
  return { line, bytes, unparsed: { text: entry.row, problem } };
}
