import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '@supportdesk/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  API_KEY,
  type Finished,
  runCli,
  type User,
  users,
  waitFor,
  workDir,
  writeCsv,
  writeJsonl,
} from './support/command.js';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, maxRecordedRequests: 10_000 });
});
afterEach(() => emulator.reset());
afterAll(() => emulator.close());

const env = () => ({ SUPPORTDESK_API_KEY: API_KEY, SUPPORTDESK_BASE_URL: emulator.baseUrl });
const importing = (cwd: string, args: string[], options: Partial<Parameters<typeof runCli>[1]> = {}) =>
  runCli(['import', ...args], { cwd, env: env(), ...options });
const summaryOf = (run: Finished) => JSON.parse(run.stdout) as Record<string, unknown>;
const customers = () => emulator.customers(API_KEY);
const sentIds = () =>
  emulator.requests.filter((request) => request.method === 'PATCH').map((request) => request.externalId);
const errorLines = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map(
      (line) =>
        JSON.parse(line) as {
          line: number;
          index: number;
          externalId?: string;
          error: { code: string };
          row: unknown;
        },
    );

/** A usage error: exit 2, one line on stderr naming the command, no stack trace, nothing on stdout. */
function expectUsageError(run: Finished, message: RegExp): void {
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/^supportdesk: [^\n]+\n$/);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toMatch(/\bat .+:\d+:\d+/);
}

describe('supportdesk import', () => {
  it('creates every one of 1,000 JSONL rows and prints the summary (exit 0)', async () => {
    const dir = workDir();
    writeJsonl(dir, 'users.jsonl', users(1_000));
    const run = await importing(dir, ['users.jsonl', '--json']);
    expect(run.code).toBe(0);
    expect(summaryOf(run)).toMatchObject({
      input: 'users.jsonl',
      read: 1_000,
      completed: 1_000,
      created: 1_000,
      failed: 0,
      invalid: 0,
      aborted: false,
      errorsFile: null,
      exitCode: 0,
    });
    expect(customers()).toHaveLength(1_000);
    expect(existsSync(join(dir, 'users.jsonl.errors.jsonl'))).toBe(false);
  });

  it('creates every one of 1,000 CSV rows, quoted fields with commas, quotes and newlines included', async () => {
    const dir = workDir();
    const rows = users(1_000);
    rows[5] = { ...(rows[5] as User), name: 'Lovelace, Ada "Countess"' };
    rows[6] = { ...(rows[6] as User), name: 'Two\r\nlines' };
    writeCsv(dir, 'users.csv', rows);
    const run = await importing(dir, ['users.csv']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Imported users\.csv: 1,000 rows in /);
    expect(run.stdout).toMatch(/created\s+1,000/);
    expect(customers()).toHaveLength(1_000);
    const byId = new Map(customers().map((customer) => [customer.externalId, customer.name]));
    expect(byId.get('user_5')).toBe('Lovelace, Ada "Countess"');
    expect(byId.get('user_6')).toBe('Two\r\nlines');
  });

  it('reads a JSON array, and JSONL from stdin', async () => {
    const dir = workDir();
    writeFileSync(join(dir, 'users.json'), JSON.stringify(users(20), null, 2));
    expect((await importing(dir, ['users.json'])).code).toBe(0);
    const stdin = users(5, 100)
      .map((user) => JSON.stringify(user))
      .join('\n');
    const run = await importing(dir, ['-', '--json'], { stdin });
    expect(run.code).toBe(0);
    expect(summaryOf(run)).toMatchObject({ input: '-', created: 5 });
    expect(customers()).toHaveLength(25);
  });

  it('maps rows with --map, resolved from the working directory, ESM or CommonJS', async () => {
    const dir = workDir();
    writeJsonl(dir, 'users.jsonl', users(3));
    writeFileSync(
      join(dir, 'map.mjs'),
      'export default (row) => ({ externalId: row.id, email: row.email, name: row.name, metadata: { plan: row.plan } });\n',
    );
    writeFileSync(
      join(dir, 'map.cjs'),
      'module.exports = (row) => (row.id === "user_1" ? null : { externalId: row.id, email: row.email, name: row.name.toUpperCase() });\n',
    );
    expect((await importing(dir, ['users.jsonl', '--map', './map.mjs'])).code).toBe(0);
    expect(customers().find((customer) => customer.externalId === 'user_0')?.metadata).toEqual({
      plan: 'pro',
    });
    const run = await importing(dir, ['users.jsonl', '--map', 'map.cjs', '--json']);
    expect(summaryOf(run)).toMatchObject({ updated: 2, ignored: 1 });
    expect(customers().find((customer) => customer.externalId === 'user_2')?.name).toBe('USER 2');
  });

  it('writes duplicate emails to the errors file (exit 1), which fed back in imports them once fixed', async () => {
    const dir = workDir();
    const rows = users(50);
    rows[10] = { ...(rows[10] as User), email: 'user0@example.com' };
    rows[20] = { ...(rows[20] as User), email: 'user1@example.com' };
    writeJsonl(dir, 'users.jsonl', rows);
    const run = await importing(dir, ['users.jsonl', '--concurrency', '1', '--json']);
    expect(run.code).toBe(1);
    expect(summaryOf(run)).toMatchObject({
      created: 48,
      failed: 2,
      errorsFile: 'users.jsonl.errors.jsonl',
      errorRows: 2,
    });
    const errorsFile = join(dir, 'users.jsonl.errors.jsonl');
    expect(errorLines(errorsFile)).toEqual([
      {
        line: 11,
        index: 10,
        externalId: 'user_10',
        error: expect.objectContaining({ code: 'CUSTOMER_EMAIL_EXISTS' }),
        row: rows[10],
      },
      expect.objectContaining({ line: 21, index: 20, externalId: 'user_20' }),
    ]);

    const fixed = readFileSync(errorsFile, 'utf8')
      .replaceAll('"email":"user0@', '"email":"ten@')
      .replaceAll('"email":"user1@', '"email":"twenty@');
    writeFileSync(join(dir, 'fixed.jsonl'), fixed);
    const again = await importing(dir, ['fixed.jsonl', '--json']);
    expect(again.code).toBe(0);
    expect(summaryOf(again)).toMatchObject({ read: 2, created: 2 });
    expect(customers().find((customer) => customer.externalId === 'user_10')?.email).toBe('ten@example.com');
  });

  it('reports a malformed JSONL line or CSV row as an invalid row with its line number, and goes on', async () => {
    const dir = workDir();
    const good = users(3).map((user) => JSON.stringify(user));
    writeFileSync(
      join(dir, 'users.jsonl'),
      [good[0], '{"id": "broken",', '', good[1], '[1, 2]', good[2]].join('\n'),
    );
    const jsonl = await importing(dir, ['users.jsonl', '--json']);
    expect(jsonl.code).toBe(1);
    expect(summaryOf(jsonl)).toMatchObject({ created: 3, invalid: 2 });
    expect(errorLines(join(dir, 'users.jsonl.errors.jsonl'))).toEqual([
      expect.objectContaining({
        line: 2,
        index: 1,
        error: expect.objectContaining({ code: 'PARSE_ERROR' }),
        row: '{"id": "broken",',
      }),
      expect.objectContaining({ line: 5, index: 3, row: '[1, 2]' }),
    ]);

    writeFileSync(join(dir, 'users.csv'), 'id,name,email\nc1,Ada,ada@example.com\nc2,"unterminated,x\n');
    writeFileSync(
      join(dir, 'more.csv'),
      'id,name,email\nc3,Ada,c3@example.com\nc4,extra,field,here\nc5,Bob,c5@example.com\n',
    );
    const csv = await importing(dir, ['more.csv', '--json']);
    expect(csv.code).toBe(1);
    expect(summaryOf(csv)).toMatchObject({ created: 2, invalid: 1 });
    expect(errorLines(join(dir, 'more.csv.errors.jsonl'))).toEqual([
      expect.objectContaining({ line: 3, index: 1, row: 'c4,extra,field,here' }),
    ]);
    const unterminated = await importing(dir, ['users.csv', '--json']);
    expect(summaryOf(unterminated)).toMatchObject({ created: 1, invalid: 1 });
  });

  it('makes a row whose map function throws invalid, and goes on', async () => {
    const dir = workDir();
    writeJsonl(dir, 'users.jsonl', users(4));
    writeFileSync(
      join(dir, 'map.mjs'),
      'export default (row) => { if (row.id === "user_2") throw new Error("no plan for " + row.id); return { externalId: row.id, email: row.email, name: row.name }; };\n',
    );
    const run = await importing(dir, ['users.jsonl', '--map', './map.mjs', '--json']);
    expect(run.code).toBe(1);
    expect(summaryOf(run)).toMatchObject({ created: 3, invalid: 1 });
    const [entry] = errorLines(join(dir, 'users.jsonl.errors.jsonl'));
    expect(entry).toMatchObject({ line: 3, index: 2, error: { code: 'VALIDATION_ERROR' } });
    expect(JSON.stringify(entry)).toContain('no plan for user_2');
  });

  it('loses no row in a storm of 429s (Retry-After: 1)', async () => {
    const dir = workDir();
    writeJsonl(dir, 'users.jsonl', users(300));
    emulator.inject({ status: 429, retryAfter: 1, times: 40 });
    const run = await importing(dir, ['users.jsonl', '--json']);
    expect(run.code).toBe(0);
    expect(summaryOf(run)).toMatchObject({ created: 300, failed: 0 });
    expect(customers()).toHaveLength(300);
  });

  it('stops on SIGINT (exit 130, checkpoint written, says how to resume); the rerun sends in-flight rows at most once more', async () => {
    const dir = workDir();
    const rows = users(1_000);
    rows[700] = { ...(rows[700] as User), email: 'not-an-email' };
    writeJsonl(dir, 'users.jsonl', rows);
    emulator.inject({ latencyMs: 10 });
    const first = await importing(dir, ['users.jsonl', '--checkpoint', 'import.ckpt', '--json'], {
      started: (child) => {
        void waitFor(() => emulator.requestCount >= 200).then(() => child.kill('SIGINT'));
      },
    });
    expect(first.code).toBe(130);
    expect(first.signal).toBeNull();
    expect(first.stderr).toMatch(/run the same command again to resume/);
    const stopped = summaryOf(first);
    expect(stopped).toMatchObject({ aborted: true, exitCode: 130 });
    const checkpoint = JSON.parse(readFileSync(join(dir, 'import.ckpt'), 'utf8'));
    expect(checkpoint).toMatchObject({
      input: { path: join(dir, 'users.jsonl') },
      completed: stopped.completed,
    });
    expect(stopped.completed).toBeGreaterThanOrEqual(200);
    expect(stopped.completed).toBeLessThan(1_000);

    const second = await importing(dir, ['users.jsonl', '--checkpoint', 'import.ckpt', '--json']);
    expect(second.code).toBe(1);
    expect(summaryOf(second)).toMatchObject({
      skipped: stopped.completed,
      read: 1_000,
      completed: 1_000,
      invalid: 1,
    });
    expect(existsSync(join(dir, 'import.ckpt'))).toBe(false);
    expect(customers()).toHaveLength(999);
    const counts = new Map<string | undefined, number>();
    for (const id of sentIds()) counts.set(id, (counts.get(id) ?? 0) + 1);
    const twice = [...counts.values()].filter((count) => count === 2).length;
    expect([...counts.values()].every((count) => count <= 2)).toBe(true);
    expect(twice).toBeLessThanOrEqual((stopped.read as number) - (stopped.completed as number));
    expect(errorLines(join(dir, 'users.jsonl.errors.jsonl')).map((entry) => entry.index)).toEqual([700]);
  });

  it('stops on SIGTERM the same way', async () => {
    const dir = workDir();
    writeJsonl(dir, 'users.jsonl', users(500));
    emulator.inject({ latencyMs: 10 });
    const run = await importing(dir, ['users.jsonl'], {
      started: (child) => {
        void waitFor(() => emulator.requestCount >= 50).then(() => child.kill('SIGTERM'));
      },
    });
    expect(run.code).toBe(130);
    expect(run.stdout).toMatch(/then interrupted/);
    expect(run.stderr).toMatch(/to resume, run the same command with --skip \d+/);
  });

  it('checks every row in a dry run, sends nothing, needs no key and writes no checkpoint', async () => {
    const dir = workDir();
    writeJsonl(dir, 'good.jsonl', users(10));
    writeJsonl(dir, 'bad.jsonl', [...users(3), { id: 'x', name: 'X', email: 'nope' }]);
    const good = await runCli(['import', 'good.jsonl', '--dry-run', '--checkpoint', 'c.ckpt'], { cwd: dir });
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/^Dry run of good\.jsonl: 10 rows checked in .*; nothing was sent/);
    const bad = await runCli(['import', 'bad.jsonl', '--dry-run', '--json'], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(summaryOf(bad)).toMatchObject({ dryRun: true, invalid: 1 });
    expect(emulator.requestCount).toBe(0);
    expect(existsSync(join(dir, 'c.ckpt'))).toBe(false);
  });

  it('exits 2 with one line when SupportDesk refuses the key (401)', async () => {
    const strict = await startEmulator({ port: 0, apiKeys: ['sk_the_right_key'] });
    try {
      const dir = workDir();
      writeJsonl(dir, 'users.jsonl', users(20));
      const run = await runCli(['import', 'users.jsonl', '--checkpoint', 'c.ckpt'], {
        cwd: dir,
        env: { SUPPORTDESK_API_KEY: 'sk_a_wrong_key', SUPPORTDESK_BASE_URL: strict.baseUrl },
      });
      expectUsageError(
        run,
        /SupportDesk refused the API key \(401 UNAUTHORIZED\): check SUPPORTDESK_API_KEY/,
      );
      expect(run.stderr).not.toContain('sk_a_wrong_key');
      expect(JSON.parse(readFileSync(join(dir, 'c.ckpt'), 'utf8')).completed).toBe(0);
    } finally {
      await strict.close();
    }
  });

  it.each([
    [['missing.jsonl'], /cannot read missing\.jsonl: no such file/],
    [['users.jsonl', '--map', './nope.mjs'], /--map \.\/nope\.mjs: cannot load it/],
    [['users.jsonl', '--map', './not-a-function.mjs'], /its default export must be a function/],
    [['users.jsonl', '--concurrency', 'lots'], /--concurrency must be a whole number/],
    [['users.jsonl', '--bogus'], /unknown option --bogus/],
    [['users.txt'], /cannot tell the format of users\.txt from its extension: pass --format/],
    [['users.jsonl', '--checkpoint', 'other.ckpt'], /is for another input/],
    [['users.jsonl', '--checkpoint', 'c.ckpt', '--skip', '3'], /--checkpoint and --skip do not go together/],
    [
      ['users.jsonl', '--base-url', 'http://example.com/api'],
      /plain http:\/\/ for a host that is not loopback/,
    ],
  ])('exits 2 with one line for %j', async (args, message) => {
    const dir = workDir();
    writeJsonl(dir, 'users.jsonl', users(2));
    writeFileSync(join(dir, 'users.txt'), '');
    writeFileSync(join(dir, 'not-a-function.mjs'), 'export default 42;\n');
    writeFileSync(
      join(dir, 'other.ckpt'),
      JSON.stringify({ version: 1, input: { path: join(dir, 'elsewhere.jsonl'), size: 1 }, completed: 1 }),
    );
    expectUsageError(await importing(dir, args), message);
    expect(emulator.requestCount).toBe(0);
  });

  it('exits 2 without SUPPORTDESK_API_KEY, saying how to set it', async () => {
    const dir = workDir();
    writeJsonl(dir, 'users.jsonl', users(2));
    expectUsageError(await runCli(['import', 'users.jsonl'], { cwd: dir }), /set SUPPORTDESK_API_KEY/);
  });

  it('prints help and the version', async () => {
    const dir = workDir();
    const help = await runCli(['import', '--help'], { cwd: dir });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: supportdesk import <file \| -> \[options\]/);
    for (const option of [
      '--format',
      '--map',
      '--concurrency',
      '--max-per-second',
      '--checkpoint',
      '--skip',
      '--errors',
      '--dry-run',
      '--base-url',
      '--redis',
      '--json',
    ])
      expect(help.stdout).toContain(option);
    expect((await runCli(['--version'], { cwd: dir })).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expectUsageError(await runCli(['export'], { cwd: dir }), /unknown command "export"/);
  });
});
