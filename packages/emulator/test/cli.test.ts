import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltPackage, buildPackage } from './built-package.js';
import { john, KEY, OTHER_KEY } from './support.js';

let built: BuiltPackage | undefined;
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
  built = buildPackage();
  // The bin of package.json, as npx runs it.
  cliPath = join(built.dir, 'dist/cli.js');
});

afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
});

afterAll(() => {
  built?.remove();
});

describe('supportdesk-emulator CLI', () => {
  it('prints its base URL and answers an upsert', async () => {
    const cli = await start(['--port', '0']);
    expect(cli.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1$/);
    expect(await upsert(cli.baseUrl, 'user_42')).toBe(200);
  });

  it('prints the dashboard URL, which serves the page shipped in the package', async () => {
    const cli = await start(['--port', '0']);
    const dashboardUrl = /Dashboard: (http:\/\/\S+)/.exec(cli.output())?.[1];
    expect(dashboardUrl).toBe(cli.baseUrl.replace(/api\/v1$/, ''));
    const page = await fetch(dashboardUrl as string);
    expect([page.status, await page.text()]).toEqual([
      200,
      expect.stringContaining('<title>SupportDesk emulator'),
    ]);
    const script = await fetch(new URL('/__emulator/dashboard/app.js', dashboardUrl));
    expect([script.status, script.headers.get('content-type')]).toEqual([
      200,
      'text/javascript; charset=utf-8',
    ]);
    await script.arrayBuffer();
  });

  it('answers 429 RATE_LIMITED with Retry-After past --rate-limit', async () => {
    // Bursts of one, the next token 2 s later: far more than two requests take.
    const cli = await start(['--port', '0', '--rate-limit', '0.5']);
    const statuses = [];
    for (let i = 0; i < 2; i++) statuses.push(await upsert(cli.baseUrl, 'user_42'));
    expect(statuses).toEqual([200, 429]);
  });

  it('warns on stderr that the admin API is open when --host is not loopback', async () => {
    // A documentation address (TEST-NET-1) that no interface has: the warning comes before the
    // listen fails, so no test server is ever open to a network.
    const cli = run(['--port', '0', '--host', '192.0.2.1']);
    expect(await cli.exit).toEqual({ code: 1, signal: null });
    expect(cli.output()).toMatch(/warning: --host 192\.0\.2\.1 is not loopback: .*admin API/);
  });

  it('does not warn on loopback', async () => {
    const cli = await start(['--port', '0']);
    await upsert(cli.baseUrl, 'user_42');
    expect(cli.output()).not.toContain('warning');
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
    [['--rate-limit', '0'], '--rate-limit'],
    [['--rate-limit', 'fast'], '--rate-limit'],
    [['--bogus'], 'bogus'],
  ])('exits 2 and says what is wrong with %j', async (args, message) => {
    const cli = run(args);
    expect(await cli.exit).toEqual({ code: 2, signal: null });
    expect(cli.output()).toContain(message);
  });
});
