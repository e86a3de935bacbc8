import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import type { ImportFailure } from '@supportdesk/core';
import type { ErrorEntry } from './input/errors-file.js';
import type { InputRow } from './input/row.js';

/** The code of a row that did not parse (JSON, CSV), in the errors file. */
export const PARSE_ERROR = 'PARSE_ERROR';

/** The errors file's entry for a failed or invalid row. */
export function entryOf({ index, user: row, externalId, error }: ImportFailure<InputRow>): ErrorEntry {
  const parsed = row.unparsed === undefined;
  return {
    line: row.line,
    index,
    ...(externalId === undefined ? {} : { externalId }),
    error: parsed
      ? { code: error.code, message: error.message }
      : { code: PARSE_ERROR, message: `line ${row.line}: ${row.unparsed?.problem}` },
    row: parsed ? row.value : row.unparsed?.text,
  };
}

/**
 * The errors file: one JSON line per failed or invalid row, written in input order and only for
 * rows before the resume point, so a resumed run (which appends) never writes a row twice. A
 * fresh run starts it afresh; it is created on its first line.
 */
export class ErrorsOutput {
  readonly path: string;
  readonly #append: boolean;
  /** Failures of rows past the resume point, by index: bounded by the import's read-ahead. */
  readonly #waiting = new Map<number, ErrorEntry>();
  #fd: number | undefined;
  #written = 0;

  constructor(path: string, resumed: boolean) {
    this.path = path;
    this.#append = resumed;
    if (!resumed) rmSync(path, { force: true });
  }

  /** Lines written so far. */
  get written(): number {
    return this.#written;
  }

  add(failure: ImportFailure<InputRow>): void {
    this.#waiting.set(failure.index, entryOf(failure));
  }

  /** Writes the failures of every row before `completed`, in order. */
  flush(completed: number): void {
    if (this.#waiting.size === 0) return;
    const ready = [...this.#waiting.keys()].filter((index) => index < completed).sort((a, b) => a - b);
    if (ready.length === 0) return;
    this.#fd ??= openSync(this.path, this.#append ? 'a' : 'w');
    let text = '';
    for (const index of ready) {
      text += `${JSON.stringify(this.#waiting.get(index))}\n`;
      this.#waiting.delete(index);
    }
    writeSync(this.#fd, text);
    this.#written += ready.length;
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}
