import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built command (dist): `pnpm test` builds the packages first, as a user installs them. */
export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export const API_KEY = 'sk_test_cli_import_0123456789';

/** What a finished run of the command printed, and its exit status. */
export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  /** Written to the command's stdin, then closed. */
  stdin?: string;
  /** Called with the child once it runs (to signal it mid-run). */
  started?: (child: ChildProcess, output: { stdout: () => string; stderr: () => string }) => void;
}

/** Runs `supportdesk <args>` as a real child process; the environment has no inherited SupportDesk variables. */
export function runCli(args: string[], options: RunOptions): Promise<Finished> {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.SUPPORTDESK_API_KEY;
  delete env.SUPPORTDESK_BASE_URL;
  delete env.NO_COLOR;
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: { ...env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  if (options.stdin !== undefined) child.stdin.end(options.stdin);
  else child.stdin.end();
  options.started?.(child, { stdout: () => stdout, stderr: () => stderr });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** A fresh working directory for one test. */
export function workDir(): string {
  return mkdtempSync(join(tmpdir(), 'supportdesk-cli-'));
}

export interface User {
  id: string;
  name: string;
  email: string;
  plan?: string;
}

export const users = (count: number, from = 0): User[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `user_${from + i}`,
    name: `User ${from + i}`,
    email: `user${from + i}@example.com`,
    plan: i % 2 === 0 ? 'pro' : 'free',
  }));

export function writeJsonl(dir: string, name: string, rows: unknown[]): string {
  writeFileSync(
    join(dir, name),
    rows
      .map((row) => JSON.stringify(row))
      .join('\n')
      .concat('\n'),
  );
  return name;
}

/** CSV with a header row; every field quoted, so names with commas and quotes stay fields. */
export function writeCsv(dir: string, name: string, rows: User[]): string {
  const quote = (value: string) => `"${value.replaceAll('"', '""')}"`;
  const lines = [
    'id,name,email,plan',
    ...rows.map((row) => [row.id, row.name, row.email, row.plan ?? ''].map(quote).join(',')),
  ];
  writeFileSync(join(dir, name), `${lines.join('\r\n')}\r\n`);
  return name;
}

/** Resolves once `condition` holds, polling; throws after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
