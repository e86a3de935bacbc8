import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import {
  defaultMapUser,
  type ImportAuthError,
  type ImportProgress,
  type ImportSummary,
  importCustomers,
  SupportDeskAuthError,
  SupportDeskConfigError,
  type SyncStore,
} from '@supportdesk/core';
import { version } from '../package.json';
import type { ImportArgs } from './args.js';
import { type CheckpointInput, deleteCheckpoint, readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { ErrorsOutput } from './errors-output.js';
import { type Input, openInput } from './input/open.js';
import { InputError, type InputRow } from './input/row.js';
import { loadMapModule, type MapUser } from './map-module.js';
import { ProgressBar, type ProgressDisplay, ProgressLines } from './progress/display.js';
import { count, type ProgressState } from './progress/format.js';
import { connectRedis } from './redis.js';
import { type RunReport, summaryJson, summaryText } from './summary.js';
import { UsageError } from './usage-error.js';

/** What the command reads and writes: the process's, or a test's. */
export interface Io {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdin: Readable;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean } & NodeJS.WritableStream;
  /** Calls `handler` on SIGINT and SIGTERM until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
  /** Ends the process at once (a second Ctrl-C). */
  exitNow(code: number): void;
}

/** How often the checkpoint is written while the import runs. */
const CHECKPOINT_INTERVAL_MS = 1_000;

/** The exit statuses the command documents. */
export const EXIT = { ok: 0, rowsFailed: 1, usage: 2, interrupted: 130 } as const;

/** Runs `supportdesk import` and answers its exit status; a usage problem is thrown as {@link UsageError}. */
export async function runImport(args: ImportArgs, io: Io): Promise<number> {
  const input = openInput(args.input, args.format, io.cwd, io.stdin);
  try {
    return await importInput(args, input, io);
  } finally {
    // Done with the input, whatever happened: an open stdin would keep the process alive.
    input.stream.destroy();
  }
}

async function importInput(args: ImportArgs, input: Input, io: Io): Promise<number> {
  const mapUser =
    args.map === undefined ? (defaultMapUser as MapUser) : await loadMapModule(args.map, io.cwd);
  const checkpointFile = args.checkpoint === undefined ? undefined : resolve(io.cwd, args.checkpoint);
  const errorsName = args.errors ?? defaultErrorsFile(input.name);
  const errorsFile = resolve(io.cwd, errorsName);
  if (errorsFile === input.path)
    throw new UsageError('--errors must not be the input file: pass another --errors file');
  if (checkpointFile !== undefined && (checkpointFile === input.path || checkpointFile === errorsFile))
    throw new UsageError('--checkpoint must be a file of its own, not the input or the errors file');
  const checkpoint = checkpointFile === undefined ? undefined : readCheckpoint(checkpointFile, input);
  const skip = checkpoint?.completed ?? args.skip ?? 0;
  const apiKey = io.env.SUPPORTDESK_API_KEY || undefined;
  if (!args.dryRun && apiKey === undefined)
    throw new UsageError(
      'set SUPPORTDESK_API_KEY to your SupportDesk API key (it is never a flag, so it stays out of your shell history), or try --dry-run first',
    );
  const redis = args.redis === undefined || args.dryRun ? undefined : await connectRedis(args.redis);
  try {
    const run = new ImportCommand(args, io, input, {
      checkpointFile,
      errorsFile,
      errorsName,
      skip,
      resumed: checkpoint !== undefined,
    });
    return await run.start(mapUser, apiKey, redis?.store);
  } finally {
    await redis?.close();
  }
}

const defaultErrorsFile = (name: string) =>
  name === '-' ? 'supportdesk-import.errors.jsonl' : `${name}.errors.jsonl`;

interface Plan {
  checkpointFile: string | undefined;
  errorsFile: string;
  /** The errors file as the user named it (or its default name), for messages. */
  errorsName: string;
  skip: number;
  resumed: boolean;
}

/** One run of the command: the import, with its progress, checkpoint, errors file, signals and summary. */
class ImportCommand {
  readonly #args: ImportArgs;
  readonly #io: Io;
  readonly #input: Input & CheckpointInput;
  readonly #plan: Plan;
  readonly #errors: ErrorsOutput;
  readonly #controller = new AbortController();
  readonly #startedAt = performance.now();
  #display: ProgressDisplay | undefined;
  #progress: ImportProgress | undefined;
  #bytes = 0;
  /** How far into the input this run's own rows start (after a resume's passed-over rows), for the ETA. */
  #startShare: number | undefined;
  #savedCompleted = -1;

  constructor(args: ImportArgs, io: Io, input: Input, plan: Plan) {
    this.#args = args;
    this.#io = io;
    this.#input = input;
    this.#plan = plan;
    this.#errors = new ErrorsOutput(plan.errorsFile, plan.resumed);
  }

  async start(mapUser: MapUser, apiKey: string | undefined, store: SyncStore | undefined): Promise<number> {
    const args = this.#args;
    const io = this.#io;
    this.#display = io.stderr.isTTY
      ? new ProgressBar(io.stderr)
      : new ProgressLines((line) => io.stderr.write(line));
    const saving =
      this.#plan.checkpointFile === undefined || args.dryRun
        ? undefined
        : setInterval(() => this.#saveCheckpoint(), CHECKPOINT_INTERVAL_MS);
    let interrupted = false;
    const stopListening = io.onInterrupt(() => {
      if (interrupted) {
        this.#saveCheckpoint();
        this.#display?.stop();
        io.stderr.write(`supportdesk import: stopped at once. ${this.#resumeHint(this.#completed)}\n`);
        io.exitNow(EXIT.interrupted);
        return;
      }
      interrupted = true;
      io.stderr.write(
        '\nsupportdesk import: stopping: waiting for the upserts in flight to finish (Ctrl-C again to quit at once)\n',
      );
      this.#controller.abort();
    });
    let summary: ImportSummary;
    try {
      summary = await importCustomers(this.#rows(), {
        apiKey,
        baseUrl: args.baseUrl,
        userAgent: `supportdesk-cli/${version}`,
        mapUser: (row: InputRow) => {
          if (row.unparsed !== undefined) throw new InputError(row.unparsed.problem);
          return mapUser(row.value) as ReturnType<typeof defaultMapUser>;
        },
        concurrency: args.concurrency,
        maxPerSecond: args.maxPerSecond,
        store,
        skip: this.#plan.skip,
        dryRun: args.dryRun,
        signal: this.#controller.signal,
        onProgress: (progress) => this.#onProgress(progress),
        onFailure: (failure) => this.#errors.add(failure),
        logger: {
          debug: () => undefined,
          info: (_, message) => io.stderr.write(`supportdesk import: ${message}\n`),
          warn: (_, message) => io.stderr.write(`supportdesk import: warning: ${message}\n`),
          error: (_, message) => io.stderr.write(`supportdesk import: error: ${message}\n`),
        },
      });
    } catch (error) {
      return this.#failed(error);
    } finally {
      stopListening();
      if (saving !== undefined) clearInterval(saving);
      this.#display.stop();
    }
    return this.#finished(summary);
  }

  /** The input's rows, noting how far into the input each one ends (for the percent shown). */
  async *#rows(): AsyncGenerator<InputRow> {
    for await (const row of this.#input.rows) {
      this.#bytes = row.bytes;
      yield row;
    }
  }

  get #completed(): number {
    return this.#progress?.completed ?? this.#plan.skip;
  }

  #onProgress(progress: ImportProgress): void {
    this.#progress = progress;
    this.#errors.flush(progress.completed);
    this.#display?.update(this.#state(progress));
  }

  #state(progress: ImportProgress): ProgressState {
    const { size } = this.#input;
    this.#startShare ??= size ? this.#bytes / size : 0;
    return {
      startShare: this.#startShare,
      rows: progress.completed - this.#plan.skip,
      skipped: this.#plan.skip,
      bytes: this.#bytes,
      size: this.#input.size,
      failed: progress.failed,
      invalid: progress.invalid,
      paused: progress.paused,
      elapsedMs: performance.now() - this.#startedAt,
    };
  }

  #saveCheckpoint(completed = this.#completed): void {
    const file = this.#plan.checkpointFile;
    if (file === undefined || this.#args.dryRun || completed === this.#savedCompleted) return;
    // Errors of the rows before the resume point reach their file before the checkpoint moves past them.
    this.#errors.flush(completed);
    writeCheckpoint(file, this.#input, completed);
    this.#savedCompleted = completed;
  }

  #finished(summary: ImportSummary): number {
    this.#errors.flush(summary.completed);
    this.#errors.close();
    const file = this.#plan.checkpointFile;
    let exitCode: number;
    if (summary.aborted) {
      exitCode = EXIT.interrupted;
      this.#saveCheckpoint(summary.completed);
      this.#io.stderr.write(`supportdesk import: interrupted. ${this.#resumeHint(summary.completed)}\n`);
    } else {
      if (file !== undefined && !this.#args.dryRun) deleteCheckpoint(file);
      exitCode = summary.failed + summary.invalid > 0 ? EXIT.rowsFailed : EXIT.ok;
    }
    const report: RunReport = {
      input: this.#input.name,
      dryRun: this.#args.dryRun,
      skipped: this.#plan.skip,
      ...summary,
      errorsFile: this.#errors.written > 0 ? this.#plan.errorsName : null,
      errorRows: this.#errors.written,
      exitCode,
    };
    this.#io.stdout.write(this.#args.json ? summaryJson(report) : summaryText(report));
    return exitCode;
  }

  /** The import stopped early: the key was refused, the input broke, or an option was wrong. */
  #failed(error: unknown): never {
    const summary = (error as { summary?: ImportSummary }).summary;
    this.#errors.flush(summary?.completed ?? 0);
    this.#errors.close();
    if (summary !== undefined) this.#saveCheckpoint(summary.completed);
    const done = summary === undefined ? '' : ` ${this.#resumeHint(summary.completed)}`;
    if (error instanceof SupportDeskAuthError) {
      const { status, code } = error as ImportAuthError;
      throw new UsageError(
        `SupportDesk refused the API key (${status ?? ''} ${code}): check SUPPORTDESK_API_KEY (and --base-url or SUPPORTDESK_BASE_URL).${done}`,
      );
    }
    if (error instanceof SupportDeskConfigError)
      throw new UsageError(error.message.replace(/^importCustomers: /, ''));
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(`cannot read ${this.#input.name}: ${message}.${done}`);
  }

  #resumeHint(completed: number): string {
    const rows = `${count(completed)} rows are done`;
    if (this.#plan.checkpointFile !== undefined && !this.#args.dryRun)
      return `${rows}; run the same command again to resume (the checkpoint ${this.#args.checkpoint} says where).`;
    return `${rows}; to resume, run the same command with --skip ${completed}.`;
  }
}
