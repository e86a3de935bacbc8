import { type ChildProcessByStdio, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { john, KEY, OTHER_KEY } from './support.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const tsup = fileURLToPath(new URL('../../../node_modules/.bin/tsup', import.meta.url));
let outDir = '';
let cliPath = '';

type Cli = ChildProcessByStdio<null, Readable, Readable>;
const running = new Set<Cli>();

interface Started {
  child: Cli;
  baseUrl: string;
  /** Everything printed on stdout so far. */
  output: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(args: string[]): Started {
  const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  return { child, baseUrl: '', output: () => stdout + stderr, exit };
}

/** Start the CLI and wait (bounded by the test timeout) for its base URL line. */
async function start(args: string[]): Promise<Started> {
  const started = run(args);
  for (let attempt = 0; attempt < 500; attempt++) {
    const match = /listening on (http:\/\/\S+)/.exec(started.output());
    if (match?.[1]) return { ...started, baseUrl: match[1] };
    const ended = await Promise.race([
      started.exit.then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), 20)),
    ]);
    if (ended) break;
  }
  throw new Error(`the CLI did not print its base URL:\n${started.output()}`);
}

async function upsert(baseUrl: string, externalId: string, apiKey = KEY): Promise<number> {
  const response = await fetch(`${baseUrl}/customers/${encodeURIComponent(externalId)}`, {
    method: 'PATCH',
    headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
    body: JSON.stringify(john),
  });
  await response.arrayBuffer();
  return response.status;
}

beforeAll(() => {
  // Built to a private directory so this suite never races a workspace build of dist/.
  outDir = mkdtempSync(join(tmpdir(), 'supportdesk-emulator-cli-'));
  execFileSync(
    tsup,
    ['src/cli.ts', '--format', 'cjs', '--target', 'node20', '--out-dir', outDir, '--silent'],
    {
      cwd: packageDir,
      stdio: 'pipe',
    },
  );
  cliPath = join(outDir, 'cli.cjs');
});

afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
});

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe('supportdesk-emulator CLI', () => {
  it('prints its base URL and answers an upsert', async () => {
    const cli = await start(['--port', '0']);
    expect(cli.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1$/);
    expect(await upsert(cli.baseUrl, 'user_42')).toBe(200);
  });

  it('logs one line per request with method, externalId and status, never the API key', async () => {
    const cli = await start(['--port', '0']);
    await upsert(cli.baseUrl, 'user_42');
    for (let i = 0; i < 100 && !cli.output().includes('PATCH "user_42" 200'); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(cli.output()).toContain('PATCH "user_42" 200\n');
    expect(cli.output()).not.toContain(KEY);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'exits with code 0 on %s, even with a client connected',
    async (signal) => {
      const cli = await start(['--port', '0']);
      // The kept-alive connection of this request must not hold the process open.
      await upsert(cli.baseUrl, 'user_42');
      cli.child.kill(signal);
      expect(await cli.exit).toEqual({ code: 0, signal: null });
    },
  );

  it('accepts only the keys given with --api-key', async () => {
    const cli = await start(['--port', '0', '--api-key', KEY]);
    expect(await upsert(cli.baseUrl, 'user_1', OTHER_KEY)).toBe(401);
    expect(await upsert(cli.baseUrl, 'user_1', KEY)).toBe(200);
  });

  it('prints its usage and exits 0 with --help', async () => {
    const cli = run(['--help']);
    expect(await cli.exit).toEqual({ code: 0, signal: null });
    expect(cli.output()).toContain('Usage: supportdesk-emulator');
  });

  it.each([
    [['--port', 'abc'], '--port'],
    [['--bogus'], 'bogus'],
  ])('exits 2 and says what is wrong with %j', async (args, message) => {
    const cli = run(args);
    expect(await cli.exit).toEqual({ code: 2, signal: null });
    expect(cli.output()).toContain(message);
  });
});
