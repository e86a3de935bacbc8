import { type Emulator, startEmulator } from '@supportdesk/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SupportDeskClient } from '../../src/client/client.js';
import {
  CustomerEmailExistsError,
  SupportDeskAuthError,
  SupportDeskConfigError,
  SupportDeskValidationError,
} from '../../src/errors.js';
import { type ImportAuthError, importCustomers } from '../../src/import/import-customers.js';
import type { ImportOptions } from '../../src/import/options.js';
import type { ImportFailure, ImportProgress } from '../../src/import/progress.js';
import { nextRow, STOPPED, StopSignal } from '../../src/import/source.js';
import { MemorySyncStore } from '../../src/store/memory-store.js';
import { failOnUnhandledRejections } from '../support/engines.js';

failOnUnhandledRejections();

const API_KEY = 'sk_live_import_test_0123456789';

interface Row {
  id: string;
  name: string;
  email: string;
}

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, maxRecordedRequests: 10_000 });
});
afterEach(() => {
  emulator.reset();
});
afterAll(async () => {
  await emulator.close();
});

const rows = (count: number, from = 0): Row[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `user_${from + i}`,
    name: `User ${from + i}`,
    email: `user${from + i}@example.com`,
  }));

function run<T = Row>(source: Iterable<T> | AsyncIterable<T>, options: ImportOptions<T> = {}) {
  return importCustomers(source, { apiKey: API_KEY, baseUrl: emulator.baseUrl, ...options });
}

const upserts = () => emulator.requests.filter((request) => request.method === 'PATCH');
const sentIds = () => upserts().map((request) => request.externalId);
const customerIds = () =>
  emulator
    .customers(API_KEY)
    .map((customer) => customer.externalId)
    .sort();
const sorted = (ids: (string | undefined)[]) => [...ids].sort();

function countsOf(ids: (string | undefined)[]): Map<string | undefined, number> {
  const counts = new Map<string | undefined, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

describe('importCustomers against the emulator', () => {
  it('creates every row of an array and resolves with the counts', async () => {
    const summary = await run(rows(50));
    expect(summary).toEqual({
      read: 50,
      completed: 50,
      created: 50,
      updated: 0,
      unchanged: 0,
      ignored: 0,
      failed: 0,
      invalid: 0,
      durationMs: expect.any(Number),
      aborted: false,
    });
    expect(customerIds()).toEqual(sorted(rows(50).map((row) => row.id)));
    expect(upserts()[0]?.body).toEqual({ name: 'User 0', email: 'user0@example.com' });
  });

  it('counts a second import of the same rows as updated', async () => {
    await run(rows(10));
    expect(await run(rows(10))).toMatchObject({ created: 0, updated: 10 });
  });

  it('reads a generator and an async generator', async () => {
    function* sync() {
      yield* rows(5);
    }
    async function* slow() {
      for (const row of rows(5, 5)) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        yield row;
      }
    }
    expect(await run(sync())).toMatchObject({ read: 5, created: 5 });
    expect(await run(slow())).toMatchObject({ read: 5, created: 5 });
    expect(customerIds()).toHaveLength(10);
  });

  it('uses mapUser, sync or async, and counts rows mapped to null as ignored', async () => {
    const source = [...rows(4), { id: 'bot', name: 'Bot', email: 'bot@example.com' }];
    const summary = await run(source, {
      mapUser: async (row) =>
        row.id === 'bot'
          ? null
          : { externalId: row.id, email: row.email, name: row.name.toUpperCase(), metadata: { plan: 'pro' } },
    });
    expect(summary).toMatchObject({ read: 5, completed: 5, created: 4, ignored: 1 });
    expect(upserts()[0]?.body).toEqual({
      email: 'user0@example.com',
      name: 'USER 0',
      metadata: { plan: 'pro' },
    });
  });

  it('reports invalid rows through onFailure, with their index, row and id, and goes on', async () => {
    const failures: ImportFailure<Row>[] = [];
    const source = rows(6);
    source[1] = { id: 'bad_email', name: 'Bad', email: 'not-an-email' };
    source[4] = { id: 'throws', name: 'Throws', email: 'throws@example.com' };
    const summary = await run(source, {
      mapUser: (row) => {
        if (row.id === 'throws') throw new Error('cannot map this one');
        return { externalId: row.id, name: row.name, email: row.email };
      },
      onFailure: (failure) => failures.push(failure),
    });
    expect(summary).toMatchObject({ completed: 6, created: 4, invalid: 2, failed: 0 });
    expect(failures.map(({ index, externalId, user }) => ({ index, externalId, id: user.id }))).toEqual([
      { index: 1, externalId: 'bad_email', id: 'bad_email' },
      { index: 4, externalId: undefined, id: 'throws' },
    ]);
    expect(failures.every((failure) => failure.error instanceof SupportDeskValidationError)).toBe(true);
    expect(failures[1]?.error.message).toMatch(/cannot map this one/);
    expect(sentIds()).not.toContain('bad_email');
  });

  it('counts a row refused by SupportDesk (409) as failed, reports it, and goes on', async () => {
    const failures: ImportFailure<Row>[] = [];
    const source = rows(5);
    source[3] = { id: 'dup', name: 'Duplicate', email: 'user0@example.com' };
    const summary = await run(source, { concurrency: 1, onFailure: (failure) => failures.push(failure) });
    expect(summary).toMatchObject({ completed: 5, created: 4, failed: 1 });
    expect(failures).toEqual([expect.objectContaining({ index: 3, externalId: 'dup' })]);
    expect(failures[0]?.error).toBeInstanceOf(CustomerEmailExistsError);
  });

  it('counts a payload the client refuses before sending as invalid, not failed', async () => {
    const client = new SupportDeskClient({
      apiKey: API_KEY,
      baseUrl: emulator.baseUrl,
      maxPayloadBytes: 200,
    });
    const big = { id: 'big', name: 'x'.repeat(250), email: 'big@example.com' };
    const summary = await importCustomers([big, ...rows(2)], { client });
    expect(summary).toMatchObject({ created: 2, invalid: 1, failed: 0 });
  });

  it('sends the same rows after a storm of 429s and loses none, even with no client retries', async () => {
    emulator.inject({ status: 429, retryAfter: 1, times: 12 });
    const progress: ImportProgress[] = [];
    const summary = await run(rows(30), { maxRetries: 0, onProgress: (p) => progress.push(p) });
    expect(summary).toMatchObject({ completed: 30, created: 30, failed: 0 });
    expect(customerIds()).toHaveLength(30);
    expect(progress.some((p) => p.paused)).toBe(true);
    expect(progress.at(-1)?.paused).toBe(false);
  });

  it('pauses every send during a 429, so the paused rows go first after it', async () => {
    emulator.inject({ status: 429, retryAfter: 1, times: 1, externalId: 'user_0' });
    await run(rows(20), { concurrency: 1 });
    expect(sentIds().slice(0, 3)).toEqual(['user_0', 'user_0', 'user_1']);
  });

  it('rejects with SupportDeskAuthError and the counts so far on 401, once in-flight rows settled', async () => {
    const failures: ImportFailure<Row>[] = [];
    await run(rows(5));
    emulator.reset();
    emulator.inject({ status: 401, externalId: 'user_5' });
    const error = (await run(rows(20), { concurrency: 2, onFailure: (f) => failures.push(f) }).catch(
      (caught: unknown) => caught,
    )) as ImportAuthError;
    expect(error).toBeInstanceOf(SupportDeskAuthError);
    expect(error.status).toBe(401);
    // user_5 met the 401; user_6, in flight beside it, may have settled too.
    expect(error.summary).toMatchObject({ completed: 5, failed: 0, aborted: false });
    expect(error.summary.created).toBeGreaterThanOrEqual(5);
    expect(error.summary.read).toBeLessThanOrEqual(5 + 2 + 16);
    expect(failures).toEqual([]);
    expect(sentIds().length).toBeLessThanOrEqual(8);
  });

  it('stops on signal: no more reads, in-flight rows settle, aborted: true; skip = completed resumes it', async () => {
    const controller = new AbortController();
    emulator.inject({ latencyMs: 20 });
    const first = await run(rows(200), {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.completed >= 40) controller.abort();
      },
    });
    expect(first.aborted).toBe(true);
    expect(first.completed).toBeGreaterThanOrEqual(40);
    expect(first.read - first.completed).toBeLessThanOrEqual(8 + 16);
    expect(first.read).toBeLessThan(200);

    const second = await run(rows(200), { skip: first.completed });
    expect(second).toMatchObject({ read: 200, completed: 200, aborted: false });
    expect(customerIds()).toHaveLength(200);
    const counts = countsOf(sentIds());
    expect([...counts.values()].every((count) => count <= 2)).toBe(true);
    const twice = [...counts.values()].filter((count) => count === 2).length;
    expect(twice).toBeLessThanOrEqual(first.read - first.completed);
  });

  it('resolves at once with aborted: true when the signal is already aborted', async () => {
    const summary = await run(rows(5), { signal: AbortSignal.abort() });
    expect(summary).toMatchObject({ read: 0, completed: 0, aborted: true });
    expect(upserts()).toEqual([]);
  });

  it('does not wait for a slow source once aborted', async () => {
    const controller = new AbortController();
    let closed = false;
    async function* stalls() {
      try {
        yield rows(1)[0] as Row;
        await new Promise(() => undefined);
      } finally {
        closed = true;
      }
    }
    const importing = run(stalls(), {
      signal: controller.signal,
      onProgress: (p) => p.completed === 1 && controller.abort(),
    });
    expect(await importing).toMatchObject({ completed: 1, aborted: true });
    expect(closed).toBe(false);
  });

  it('passes over skip rows without mapping or sending them, counting positions from the start', async () => {
    const mapped: string[] = [];
    const failures: ImportFailure<Row>[] = [];
    const source = rows(10);
    source[7] = { id: 'bad', name: 'Bad', email: 'nope' };
    const summary = await run(source, {
      skip: 6,
      mapUser: (row) => {
        mapped.push(row.id);
        return { externalId: row.id, name: row.name, email: row.email };
      },
      onFailure: (failure) => failures.push(failure),
    });
    expect(summary).toMatchObject({ read: 10, completed: 10, created: 3, invalid: 1 });
    expect(mapped).toEqual(['user_6', 'bad', 'user_8', 'user_9']);
    expect(failures[0]?.index).toBe(7);
  });

  it('maps and validates in a dry run, sends nothing and needs no key', async () => {
    const previous = process.env.SUPPORTDESK_API_KEY;
    delete process.env.SUPPORTDESK_API_KEY;
    try {
      const source = [...rows(3), { id: 'bad', name: 'Bad', email: 'nope' }];
      const summary = await importCustomers(source, { dryRun: true, baseUrl: emulator.baseUrl });
      expect(summary).toMatchObject({ read: 4, completed: 4, created: 0, invalid: 1 });
      expect(emulator.requestCount).toBe(0);
    } finally {
      if (previous !== undefined) process.env.SUPPORTDESK_API_KEY = previous;
    }
  });

  it('skips users the store already synced with the same payload, and sends a changed one', async () => {
    const store = new MemorySyncStore();
    expect(await run(rows(10), { store })).toMatchObject({ created: 10 });
    const changed = rows(10);
    changed[2] = { ...changed[2], name: 'Renamed' } as Row;
    expect(await run(changed, { store })).toMatchObject({ unchanged: 9, updated: 1 });
    expect(upserts()).toHaveLength(11);
  });

  it('reads the source at most concurrency + 16 rows ahead of the rows settled', async () => {
    let pulled = 0;
    let completed = 0;
    let worst = 0;
    function* counted() {
      for (const row of rows(300)) {
        pulled++;
        worst = Math.max(worst, pulled - completed);
        yield row;
      }
    }
    emulator.inject({ latencyMs: 2 });
    const summary = await run(counted(), {
      concurrency: 4,
      onProgress: (p) => {
        completed = p.completed;
      },
    });
    expect(summary.created).toBe(300);
    expect(worst).toBeLessThanOrEqual(4 + 16);
  });

  it('keeps at most concurrency upserts in flight', async () => {
    let most = 0;
    emulator.inject({ latencyMs: 5 });
    await run(rows(60), { concurrency: 3, onProgress: (p) => (most = Math.max(most, p.inFlight)) });
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(3);
  });

  it('rejects with the source error, once in-flight rows settled, and the counts so far', async () => {
    function* breaks() {
      yield* rows(3);
      throw new Error('cursor lost its connection');
    }
    const error = (await run(breaks()).catch((caught: unknown) => caught)) as Error & { summary: unknown };
    expect(error.message).toBe('cursor lost its connection');
    expect(error.summary).toMatchObject({ read: 3, completed: 3, created: 3 });
  });

  it('ignores hooks that throw', async () => {
    const source = [...rows(2), { id: 'bad', name: 'Bad', email: 'nope' }];
    const summary = await run(source, {
      onProgress: () => {
        throw new Error('progress hook bug');
      },
      onFailure: () => {
        throw new Error('failure hook bug');
      },
    });
    expect(summary).toMatchObject({ created: 2, invalid: 1 });
  });

  it('leaves no timer behind once it settles', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
    // Let timers of earlier tests (the emulator's, the HTTP agent's) run out first.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const before = timers();
    emulator.inject({ status: 429, retryAfter: 1, times: 1 });
    await run(rows(5), { maxPerSecond: 100 });
    expect(timers()).toBe(before);
  });
});

describe('importCustomers options', () => {
  it.each([
    [{ concurrency: 0 }, /importCustomers: concurrency must be an integer from 1 to 1000/],
    [{ maxPerSecond: -1 }, /maxPerSecond must be a number of sends per second above 0/],
    [{ skip: 1.5 }, /skip must be an integer of at least 0/],
    [{ dryRun: 'yes' }, /dryRun must be true or false/],
    [{ mapUser: 'id' }, /mapUser must be a function/],
    [{ bogus: true }, /unknown option "bogus": check the spelling against ImportOptions/],
    [{ client: new SupportDeskClient({ apiKey: API_KEY }), apiKey: API_KEY }, /give either client or apiKey/],
    [{ signal: {} }, /signal must be an AbortSignal/],
  ])('rejects %o with SupportDeskConfigError', async (options, message) => {
    const importing = importCustomers(rows(1), { apiKey: API_KEY, ...(options as ImportOptions<Row>) });
    await expect(importing).rejects.toThrow(SupportDeskConfigError);
    await expect(importing).rejects.toThrow(message);
  });

  it.each([
    ['a string', 'users.jsonl'],
    ['null', null],
    ['a number', 42],
  ])('rejects %s as the source', async (_, source) => {
    await expect(importCustomers(source as never, { apiKey: API_KEY })).rejects.toThrow(
      /importCustomers: the source must be an Iterable or AsyncIterable/,
    );
  });

  it('names importCustomers when the API key is missing', async () => {
    const previous = process.env.SUPPORTDESK_API_KEY;
    delete process.env.SUPPORTDESK_API_KEY;
    try {
      await expect(importCustomers(rows(1))).rejects.toThrow(/^importCustomers: missing SupportDesk API key/);
    } finally {
      if (previous !== undefined) process.env.SUPPORTDESK_API_KEY = previous;
    }
  });
});

describe('reading an async source', () => {
  it('leaves nothing waiting on the stop signal after each row, however many rows', async () => {
    const stop = new StopSignal();
    async function* many() {
      for (let i = 0; i < 1_000; i++) yield i;
    }
    const source = many();
    for (let i = 0; i < 1_000; i++) await nextRow(source, stop);
    expect(stop.waiting).toBe(0);
  });

  it('answers STOPPED to a read still waiting when the import stops, and drops its later rejection', async () => {
    const stop = new StopSignal();
    let fail: (error: Error) => void = () => undefined;
    const source = { next: () => new Promise<IteratorResult<number>>((_, reject) => (fail = reject)) };
    const reading = nextRow(source, stop);
    stop.stop();
    expect(await reading).toBe(STOPPED);
    fail(new Error('the cursor closed'));
    expect(stop.waiting).toBe(0);
  });
});
