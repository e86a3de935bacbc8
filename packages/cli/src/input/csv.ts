import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type CsvError, parse } from 'csv-parse';
import { clip, InputError, type InputRow } from './row.js';

/**
 * CSV as RFC 4180 has it (quoted fields, commas, quotes and newlines inside quotes), parsed by
 * csv-parse: the header row names the fields of each row; blank lines are not rows. A record
 * csv-parse cannot read (a stray quote, a wrong number of fields, a quote never closed) is a
 * row that did not parse, at the line where it starts, and the rows after it are read on.
 */
export async function* csvRows(input: Readable): AsyncGenerator<InputRow> {
  const lines = new LineCounter();
  // Records csv-parse skipped: reported when the rows read after them are, so rows stay in order.
  const skipped: InputRow[] = [];
  // Lines are counted as csv-parse makes each record (on_record) or skips one: in input order.
  const parser = parse({
    columns: true,
    bom: true,
    raw: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_record: (
      { record }: { record: Record<string, string> },
      context: { bytes: number; lines: number; raw?: string },
    ) => ({ line: lines.recordStart(context), bytes: context.bytes, value: record }) satisfies InputRow,
  });
  parser.on('skip', (error: CsvError & { lines?: number; raw?: string }) => {
    const raw = error.raw ?? '';
    const line = lines.skippedStart(error.lines ?? 0, raw);
    skipped.push({
      line,
      bytes: lines.bytes,
      unparsed: { text: clip(trimmed(raw)), problem: error.message },
    });
  });
  const feeding = pipeline(input, lines, parser);
  let failed: unknown;
  feeding.catch((error: unknown) => {
    failed = error;
  });
  try {
    for await (const row of parser as AsyncIterable<InputRow>) {
      while (skipped.length > 0 && (skipped[0] as InputRow).line < row.line)
        yield skipped.shift() as InputRow;
      yield row;
    }
  } catch (error) {
    throw new InputError(`cannot read the CSV: ${(error as Error).message}`);
  }
  await feeding.catch(() => undefined);
  if (failed !== undefined) throw new InputError(`cannot read the CSV: ${(failed as Error).message}`);
  yield* skipped;
}

/** A record's raw text without the blank lines before it and the line break after it. */
function trimmed(raw: string): string {
  return raw.replace(/^[\r\n]+/, '').replace(/[\r\n]+$/, '');
}

const NEWLINE = 0x0a;

/** Line breaks in a record's own text (a quoted field may hold some). */
function innerBreaks(raw: string): number {
  const inner = trimmed(raw);
  let breaks = 0;
  for (let i = inner.indexOf('\n'); i !== -1; i = inner.indexOf('\n', i + 1)) breaks++;
  return breaks;
}

/**
 * Numbers records by the line they start on, counting the input's own line breaks as it flows to
 * the parser, up to each record's end offset (which csv-parse reports exactly). csv-parse's own
 * line count drifts on CRLF breaks inside quoted fields, and a skipped record's offset is not
 * reliable, so a skipped record takes csv-parse's line, corrected by the drift seen at the
 * record before it. Records come in input order, so only the chunks not yet passed are kept.
 */
class LineCounter extends Transform {
  readonly #chunks: Buffer[] = [];
  /** Input offset of the first byte of `#chunks[0]`, and of the counting position. */
  #chunkStart = 0;
  #at = 0;
  #breaks = 0;
  #lastByte = -1;
  #drift = 0;

  /** Input bytes up to the end of the last record numbered. */
  get bytes(): number {
    return this.#at;
  }

  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    done: (error?: Error | null, data?: Buffer) => void,
  ): void {
    this.#chunks.push(chunk);
    done(null, chunk);
  }

  /** The line a record csv-parse just made starts on. */
  recordStart({ bytes, lines, raw = '' }: { bytes: number; lines: number; raw?: string }): number {
    this.#advance(bytes);
    // A record ends on the line of its last byte; a line break it consumed belongs to that line.
    const endLine = 1 + this.#breaks - (this.#lastByte === NEWLINE ? 1 : 0);
    this.#drift = lines - endLine;
    return endLine - innerBreaks(raw);
  }

  /**
   * The line a record csv-parse skipped starts on, from the line csv-parse says it ends on, less
   * the drift so far and its own (each CRLF after its first quote counts twice there).
   */
  skippedStart(lines: number, raw: string): number {
    const quote = raw.indexOf('"');
    const ownDrift = quote === -1 ? 0 : raw.slice(quote).split('\r\n').length - 1;
    return Math.max(1, lines - this.#drift - ownDrift - innerBreaks(raw));
  }

  #advance(end: number): void {
    while (this.#at < end && this.#chunks.length > 0) {
      const chunk = this.#chunks[0] as Buffer;
      const stop = Math.min(chunk.length, end - this.#chunkStart);
      for (let i = this.#at - this.#chunkStart; i < stop; i++) if (chunk[i] === NEWLINE) this.#breaks++;
      if (stop > 0) this.#lastByte = chunk[stop - 1] as number;
      this.#at = this.#chunkStart + stop;
      if (stop === chunk.length) {
        this.#chunks.shift();
        this.#chunkStart += chunk.length;
      }
    }
  }
}
