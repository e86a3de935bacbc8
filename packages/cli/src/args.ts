import { parseArgs } from 'node:util';
import { FORMATS, type Format } from './input/open.js';
import { UsageError } from './usage-error.js';

/** `supportdesk import` as the user typed it, checked. */
export interface ImportArgs {
  input: string;
  format: Format | undefined;
  map: string | undefined;
  concurrency: number | undefined;
  maxPerSecond: number | undefined;
  checkpoint: string | undefined;
  skip: number | undefined;
  errors: string | undefined;
  dryRun: boolean;
  baseUrl: string | undefined;
  redis: string | undefined;
  json: boolean;
}

const OPTIONS = {
  format: { type: 'string' },
  map: { type: 'string' },
  concurrency: { type: 'string' },
  'max-per-second': { type: 'string' },
  checkpoint: { type: 'string' },
  skip: { type: 'string' },
  errors: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'base-url': { type: 'string' },
  redis: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const HINT = 'see supportdesk import --help';

/** Parses the arguments after `import`; `'help'` when help was asked for. */
export function parseImportArgs(argv: string[]): ImportArgs | 'help' {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${describeParseError(error as Error)} (${HINT})`);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length === 0) throw new UsageError(`which file? supportdesk import <file | -> (${HINT})`);
  if (positionals.length > 1)
    throw new UsageError(
      `one input at a time: got ${positionals.map((p) => JSON.stringify(p)).join(', ')} (${HINT})`,
    );
  const format = values.format;
  if (format !== undefined && !(FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--format must be jsonl, csv or json (got ${JSON.stringify(format)})`);
  if (values.checkpoint !== undefined && values.skip !== undefined)
    throw new UsageError('--checkpoint and --skip do not go together: the checkpoint says where to resume');
  return {
    input: positionals[0] as string,
    format: format as Format | undefined,
    map: nonEmpty('--map', values.map),
    concurrency: integer('--concurrency', values.concurrency, 1, 1_000),
    maxPerSecond: positive('--max-per-second', values['max-per-second']),
    checkpoint: nonEmpty('--checkpoint', values.checkpoint),
    skip: integer('--skip', values.skip, 0, Number.MAX_SAFE_INTEGER),
    errors: nonEmpty('--errors', values.errors),
    dryRun: values['dry-run'] ?? false,
    baseUrl: nonEmpty('--base-url', values['base-url']),
    redis: nonEmpty('--redis', values.redis),
    json: values.json ?? false,
  };
}

/** node:util's messages, told the way the rest of the command speaks. */
function describeParseError(error: Error & { code?: string }): string {
  const option = /'([^']+)'/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option ${option}`;
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    const name = option.split(' ')[0];
    const dash = error.message.includes('ambiguous') ? ` (one starting with - goes as ${name}=-…)` : '';
    return `${name} needs a value${dash}`;
  }
  return error.message.split('\n')[0] ?? 'bad arguments';
}

function nonEmpty(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new UsageError(`${name} needs a value`);
  return value;
}

function integer(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isInteger(number) || number < min || number > max)
    throw new UsageError(
      `${name} must be a whole number from ${min} to ${max.toLocaleString('en-US')} (got ${JSON.stringify(value)})`,
    );
  return number;
}

function positive(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0)
    throw new UsageError(`${name} must be a number above 0, e.g. 50 (got ${JSON.stringify(value)})`);
  return number;
}
