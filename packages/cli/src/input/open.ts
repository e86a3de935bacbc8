import { createReadStream, type Stats, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { UsageError } from '../usage-error.js';
import { csvRows } from './csv.js';
import { unwrapErrorsFile } from './errors-file.js';
import { jsonRows } from './json.js';
import { jsonlRows } from './jsonl.js';
import type { InputRow } from './row.js';

/** The input formats `--format` takes. */
export const FORMATS = ['jsonl', 'csv', 'json'] as const;
export type Format = (typeof FORMATS)[number];

const BY_EXTENSION: Record<string, Format> = {
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.jsonlines': 'jsonl',
  '.csv': 'csv',
  '.json': 'json',
};

/** An opened input: where it is, how big, and its rows. */
export interface Input {
  /** What the user typed: a path, or `-` for stdin. */
  name: string;
  /** The absolute path (`-` for stdin): what a checkpoint records. */
  path: string;
  /** Its size in bytes; unknown for stdin. */
  size: number | undefined;
  format: Format;
  stream: Readable;
  rows: AsyncIterable<InputRow>;
}

/** The format of `name`: `--format`, else from its extension; stdin is JSONL. */
export function formatOf(name: string, format: Format | undefined): Format {
  if (format !== undefined) return format;
  if (name === '-') return 'jsonl';
  const byExtension = BY_EXTENSION[extname(name).toLowerCase()];
  if (byExtension !== undefined) return byExtension;
  throw new UsageError(
    `cannot tell the format of ${name} from its extension: pass --format jsonl, csv or json`,
  );
}

/** Opens the input file (or stdin for `-`) and reads its rows as its format says. */
export function openInput(name: string, format: Format | undefined, cwd: string, stdin: Readable): Input {
  const chosen = formatOf(name, format);
  let path = '-';
  let size: number | undefined;
  let stream = stdin;
  if (name !== '-') {
    path = resolve(cwd, name);
    let stats: Stats;
    try {
      stats = statSync(path);
    } catch (error) {
      const reason =
        (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
      throw new UsageError(`cannot read ${name}: ${reason}`);
    }
    if (!stats.isFile()) throw new UsageError(`cannot read ${name}: not a file`);
    size = stats.size;
    stream = createReadStream(path);
  }
  return { name, path, size, format: chosen, stream, rows: rowsOf(chosen, stream) };
}

function rowsOf(format: Format, stream: Readable): AsyncIterable<InputRow> {
  if (format === 'csv') return csvRows(stream);
  if (format === 'json') return jsonRows(stream);
  return unwrapErrorsFile(jsonlRows(stream));
}
