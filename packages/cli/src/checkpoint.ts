import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { UsageError } from './usage-error.js';

/** What a checkpoint file holds: which input, and how far it is settled. */
export interface Checkpoint {
  version: 1;
  input: {
    /** The input's absolute path, `-` for stdin. */
    path: string;
    /** Its size in bytes when the run started (`null` for stdin): a changed file is refused. */
    size: number | null;
  };
  /** Leading rows all settled: the next run passes over them. */
  completed: number;
  updatedAt: string;
}

/** The input a checkpoint must belong to. */
export interface CheckpointInput {
  name: string;
  path: string;
  size: number | undefined;
}

/**
 * The checkpoint at `file`, checked against `input`: `undefined` when there is none (a fresh
 * run). One that is unreadable, or was written for another input (or the same file since
 * changed), is a usage error: resuming from it would skip the wrong rows.
 */
export function readCheckpoint(file: string, input: CheckpointInput): Checkpoint | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read the checkpoint ${file}: ${(error as Error).message}`);
  }
  let checkpoint: Partial<Checkpoint>;
  try {
    checkpoint = JSON.parse(text) as Partial<Checkpoint>;
  } catch {
    throw new UsageError(`the checkpoint ${file} is not a checkpoint (not JSON): remove it to start over`);
  }
  const { input: recorded, completed } = checkpoint;
  if (
    checkpoint.version !== 1 ||
    typeof recorded?.path !== 'string' ||
    !Number.isSafeInteger(completed) ||
    (completed as number) < 0
  )
    throw new UsageError(
      `the checkpoint ${file} is not a checkpoint of supportdesk import: remove it to start over`,
    );
  if (recorded.path !== input.path)
    throw new UsageError(
      `the checkpoint ${file} is for another input (${recorded.path}): pass that input, or remove the checkpoint to start over`,
    );
  const size = input.size ?? null;
  if (recorded.size !== size)
    throw new UsageError(
      `${input.name} changed since the checkpoint ${file} was written (${recorded.size} bytes, now ${size}): remove the checkpoint to start over`,
    );
  return checkpoint as Checkpoint;
}

/** Writes the checkpoint atomically (a temporary file renamed over it), so a crash never leaves half of one. */
export function writeCheckpoint(file: string, input: CheckpointInput, completed: number): void {
  const checkpoint: Checkpoint = {
    version: 1,
    input: { path: input.path, size: input.size ?? null },
    completed,
    updatedAt: new Date().toISOString(),
  };
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(checkpoint, null, 2)}\n`);
  renameSync(temporary, file);
}

/** Removes the checkpoint once the whole input is settled. */
export function deleteCheckpoint(file: string): void {
  rmSync(file, { force: true });
}
