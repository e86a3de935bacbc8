import { request } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import type { Emulator, Snapshot } from '../src/index.js';
import { type Answer, john, KEY, OTHER_KEY, send, useEmulator } from './support.js';

const LONG_KEY = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc';
const MASKED_LONG_KEY = 'sk_t…p7dc';

/** One request to the admin API; an object body is sent as JSON. */
async function admin(
  emulator: Emulator,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers = { 'content-type': 'application/json', ...headers };
  }
  const response = await fetch(`${emulator.url}/__emulator${path}`, init);
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: keep the text.
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

const validationError = (message: RegExp) => ({
  success: false,
  error: { code: 'VALIDATION_ERROR', message: expect.stringMatching(message) },
  timestamp: expect.any(String),
});

/** The log learns a status once the server has finished the answer, just after the client has it. */
async function answeredRequests(emulator: Emulator, count: number) {
  let requests: Array<Record<string, unknown>> = [];
  await vi.waitFor(async () => {
    ({ requests } = (await admin(emulator, 'GET', '/requests')).body);
    expect(requests.filter((r) => r.status !== null)).toHaveLength(count);
  });
  return requests;
}

describe('GET /__emulator/customers', () => {
  const emulator = useEmulator();

  it('lists the customers of every key, most recently updated first, each key masked', async () => {
    await send(emulator(), 'user_1', { apiKey: LONG_KEY, body: john });
    await send(emulator(), 'user_2', { apiKey: OTHER_KEY, body: { email: 'ada@acme.com', name: 'Ada' } });
    const answer = await admin(emulator(), 'GET', '/customers');
    expect(answer.status).toBe(200);
    expect(answer.body.customers).toEqual([
      expect.objectContaining({ apiKey: 'sk…ta', externalId: 'user_2', name: 'Ada' }),
      expect.objectContaining({ apiKey: MASKED_LONG_KEY, externalId: 'user_1', email: 'john@acme.com' }),
    ]);
    expect(answer.body.total).toBe(2);
    expect(answer.text).not.toContain(LONG_KEY);
    expect(answer.text).not.toContain(OTHER_KEY);
  });

  it('keeps every field, metadata and timestamps', async () => {
    const body = { ...john, phone: '+1 555 0100', metadata: { plan: 'pro', seats: 3 } };
    const created = await send(emulator(), 'user_1', { body });
    const answer = await admin(emulator(), 'GET', '/customers');
    expect(answer.body.customers).toEqual([{ apiKey: expect.any(String), ...created.body.data.customer }]);
  });

  it('searches any field, case-insensitively, and limits the list while counting every match', async () => {
    await send(emulator(), 'user_1', { body: { ...john, metadata: { company: 'Initech' } } });
    await send(emulator(), 'user_2', {
      body: { email: 'ada@acme.com', name: 'Ada', metadata: { company: 'Initech' } },
    });
    await send(emulator(), 'user_3', { body: { email: 'bob@other.com', name: 'Bob' } });
    const search = await admin(emulator(), 'GET', '/customers?q=INITECH&limit=1');
    expect([search.body.customers.length, search.body.total]).toEqual([1, 2]);
    const byEmail = await admin(emulator(), 'GET', '/customers?q=bob%40other');
    expect(byEmail.body.customers.map((c: { externalId: string }) => c.externalId)).toEqual(['user_3']);
  });

  it('answers 400 to a limit that is not a whole number', async () => {
    const answer = await admin(emulator(), 'GET', '/customers?limit=many');
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(validationError(/limit/));
  });
});

describe('GET /__emulator/requests', () => {
  const emulator = useEmulator();

  it('lists the requests newest last, with status, latency and the key masked in both places', async () => {
    await send(emulator(), 'user_1', { apiKey: LONG_KEY, body: john });
    await send(emulator(), 'user_2', { apiKey: LONG_KEY, body: { name: 'no email' } });
    const requests = await answeredRequests(emulator(), 2);
    expect(requests).toEqual([
      expect.objectContaining({ id: 1, method: 'PATCH', externalId: 'user_1', status: 200, body: john }),
      expect.objectContaining({ id: 2, externalId: 'user_2', status: 400, apiKey: MASKED_LONG_KEY }),
    ]);
    expect(requests[0]?.durationMs).toEqual(expect.any(Number));
    expect(requests[0]?.headers).toMatchObject({ 'x-api-key': MASKED_LONG_KEY });
    expect(JSON.stringify(requests)).not.toContain(LONG_KEY);
  });

  it('names the fault that shaped an answer', async () => {
    emulator().inject({ status: 503, times: 1 });
    await send(emulator(), 'user_1', { body: john });
    const [request] = await answeredRequests(emulator(), 1);
    expect(request).toMatchObject({ status: 503, fault: { status: 503, times: 1 } });
  });

  it('cuts a long fault body at 1 KB in each request it shaped', async () => {
    emulator().inject({ status: 502, body: `<html>${'x'.repeat(100_000)}</html>`, times: 1 });
    await send(emulator(), 'user_1', { body: john });
    const [request] = await answeredRequests(emulator(), 1);
    const fault = request?.fault as { body?: string } | undefined;
    expect(fault?.body).toHaveLength(1025);
  });

  it('shows a request still being answered with status null', async () => {
    emulator().inject({ latencyMs: 60_000 });
    const pending = send(emulator(), 'user_1', { body: john }).catch(() => undefined);
    await vi.waitFor(() => expect(emulator().requestCount).toBe(1));
    const answer = await admin(emulator(), 'GET', '/requests');
    expect(answer.body.requests).toEqual([expect.objectContaining({ status: null, durationMs: null })]);
    await emulator().close();
    await pending;
  });

  it('leaves admin and dashboard requests out of the log', async () => {
    await admin(emulator(), 'GET', '/customers');
    await fetch(`${emulator().url}/`).then((r) => r.arrayBuffer());
    expect([emulator().requestCount, (await admin(emulator(), 'GET', '/requests')).body.requests]).toEqual([
      0,
      [],
    ]);
  });
});

describe('/__emulator/faults', () => {
  const emulator = useEmulator();

  it('injects a fault from a POST, answers 201 with the active faults, and the next upsert fails with it', async () => {
    const answer = await admin(emulator(), 'POST', '/faults', {
      status: 502,
      times: 1,
      externalId: 'user_1',
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ faults: [{ status: 502, times: 1, externalId: 'user_1', remaining: 1 }] });
    const other = await send(emulator(), 'user_2', { body: john });
    const target = await send(emulator(), 'user_1', { body: { email: 'x@acme.com', name: 'X' } });
    expect([other.status, target.status]).toEqual([200, 502]);
    expect((await admin(emulator(), 'GET', '/faults')).body).toEqual({ faults: [] });
  });

  it('lists faults with what is left of them, null for one without times', async () => {
    await admin(emulator(), 'POST', '/faults', { latencyMs: 5 });
    await admin(emulator(), 'POST', '/faults', { drop: true, times: 2 });
    expect((await admin(emulator(), 'GET', '/faults')).body.faults).toEqual([
      { latencyMs: 5, remaining: null },
      { drop: true, times: 2, remaining: 2 },
    ]);
  });

  it('clears every fault with DELETE', async () => {
    await admin(emulator(), 'POST', '/faults', { status: 500 });
    const answer = await admin(emulator(), 'DELETE', '/faults');
    expect([answer.status, answer.body]).toEqual([200, { faults: [] }]);
    expect((await send(emulator(), 'user_1', { body: john })).status).toBe(200);
  });

  it.each([
    ['an unknown field', { status: 500, code: 'X' }, /^code is not a fault field/],
    ['a success status', { status: 200 }, /^status must be an HTTP error status/],
    ['a redirect status', { status: 302 }, /^status must be an HTTP error status/],
    ['a status as a string', { status: '500' }, /^status must be/],
    ['a fractional status', { status: 500.5 }, /^status must be/],
    ['times as a string', { status: 500, times: '2' }, /^times must be a positive integer/],
    ['a negative latency', { latencyMs: -5 }, /^latencyMs must be/],
    ['drop as a string', { drop: 'yes' }, /^drop must be a boolean/],
    ['drop with a status', { drop: true, status: 500 }, /^drop and status cannot be combined/],
    [
      'a header that is not a string',
      { status: 500, headers: { 'x-a': 1 } },
      /^headers\.x-a must be a string/,
    ],
    ['a header with a newline', { status: 500, headers: { 'x-a': 'a\nb' } }, /^headers\.x-a is not a valid/],
    ['externalId as a number', { status: 500, externalId: 42 }, /^externalId must be a string/],
    ['nothing to do', {}, /at least one of status, latencyMs or drop/],
    ['an array', [{ status: 500 }], /^a fault must be a JSON object/],
  ])('answers 400 naming the problem for %s, and injects nothing', async (_label, body, message) => {
    const answer = await admin(emulator(), 'POST', '/faults', body);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(validationError(message));
    expect((await admin(emulator(), 'GET', '/faults')).body.faults).toEqual([]);
  });

  it('answers 400 INVALID_JSON to a body that does not parse', async () => {
    const answer = await admin(emulator(), 'POST', '/faults', '{"status": 500');
    expect([answer.status, answer.body.error.code]).toEqual([400, 'INVALID_JSON']);
  });

  it('answers 415 to a body that is not sent as JSON', async () => {
    const answer = await admin(emulator(), 'POST', '/faults', JSON.stringify({ status: 500 }), {
      'content-type': 'text/plain',
    });
    expect([answer.status, answer.body.error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
  });
});

describe('/__emulator/rate-limit', () => {
  const emulator = useEmulator();

  it('is off at first, set with PUT (burst defaulting to perSecond) and removed with DELETE', async () => {
    expect((await admin(emulator(), 'GET', '/rate-limit')).body).toEqual({ rateLimit: null });
    const set = await admin(emulator(), 'PUT', '/rate-limit', { perSecond: 0.1 });
    expect([set.status, set.body]).toEqual([200, { rateLimit: { perSecond: 0.1, burst: 1 } }]);
    const statuses = [];
    for (let i = 0; i < 2; i++) statuses.push((await send(emulator(), 'user_1', { body: john })).status);
    const removed = await admin(emulator(), 'DELETE', '/rate-limit');
    statuses.push((await send(emulator(), 'user_1', { body: john })).status);
    expect([removed.body, statuses]).toEqual([{ rateLimit: null }, [200, 429, 200]]);
  });

  it.each([
    [{}, /^perSecond must be a number > 0/],
    [{ perSecond: '10' }, /^perSecond must be a number > 0/],
    [{ perSecond: 10, burst: 0 }, /^burst must be an integer >= 1/],
    [{ perSecond: 10, window: 1 }, /^window is not a rate limit field/],
    [null, /must be an object/],
  ])('answers 400 naming the field for %j', async (body, message) => {
    const answer = await admin(emulator(), 'PUT', '/rate-limit', JSON.stringify(body));
    expect([answer.status, answer.body]).toEqual([400, validationError(message)]);
    expect((await admin(emulator(), 'GET', '/rate-limit')).body).toEqual({ rateLimit: null });
  });
});

describe('POST /__emulator/reset', () => {
  const emulator = useEmulator();

  it('empties customers, requests and faults', async () => {
    await send(emulator(), 'user_1', { body: john });
    await admin(emulator(), 'POST', '/faults', { status: 500, externalId: 'nobody' });
    const answer = await admin(emulator(), 'POST', '/reset');
    expect(answer.status).toBe(200);
    const [customers, requests, faults] = await Promise.all(
      ['/customers', '/requests', '/faults'].map((path) => admin(emulator(), 'GET', path)),
    );
    expect([customers?.body.customers, requests?.body.requests, faults?.body.faults]).toEqual([[], [], []]);
    expect(emulator().customers(KEY)).toEqual([]);
  });
});

describe('/__emulator/snapshot', () => {
  const emulator = useEmulator();

  it('exports every customer with its raw key and restores each under its own key', async () => {
    await send(emulator(), 'user_1', { apiKey: LONG_KEY, body: { ...john, metadata: { plan: 'pro' } } });
    await send(emulator(), 'user_1', { apiKey: OTHER_KEY, body: { email: 'ada@acme.com', name: 'Ada' } });
    const exported = await admin(emulator(), 'GET', '/snapshot');
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toMatch(/^attachment/);
    const snapshot = exported.body as Snapshot;
    expect(snapshot).toMatchObject({ version: 1, exportedAt: expect.any(String) });
    expect(snapshot.customers.map((c) => [c.apiKey, c.externalId])).toEqual([
      [LONG_KEY, 'user_1'],
      [OTHER_KEY, 'user_1'],
    ]);
    const before = [emulator().customers(LONG_KEY), emulator().customers(OTHER_KEY)];

    await admin(emulator(), 'POST', '/reset');
    const restored = await admin(emulator(), 'PUT', '/snapshot', snapshot);
    expect([restored.status, restored.body]).toEqual([200, { restored: 2 }]);
    expect([emulator().customers(LONG_KEY), emulator().customers(OTHER_KEY)]).toEqual(before);
    // Restored customers behave as stored ones: the next upsert updates, and emails stay unique.
    const update = await send(emulator(), 'user_1', { apiKey: LONG_KEY, body: { name: 'Johnny' } });
    const clash = await send(emulator(), 'user_2', {
      apiKey: LONG_KEY,
      body: { ...john, email: 'JOHN@acme.com' },
    });
    expect([update.body.data.wasCreated, clash.status]).toEqual([false, 409]);
  });

  it('replaces the customers there were', async () => {
    await send(emulator(), 'user_old', { body: john });
    await admin(emulator(), 'PUT', '/snapshot', { version: 1, customers: [] });
    expect(emulator().customers(KEY)).toEqual([]);
  });

  const customer = {
    apiKey: KEY,
    id: 'cl0001',
    externalId: 'user_1',
    email: 'john@acme.com',
    name: 'John',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };

  it.each([
    ['an unknown top-level field', { customers: [], extra: 1 }, /^extra is not a snapshot field/],
    ['another version', { version: 2, customers: [] }, /^version must be 1/],
    ['customers that are not an array', { customers: {} }, /^customers must be an array/],
    [
      'an unknown customer field',
      { customers: [{ ...customer, plan: 'pro' }] },
      /^customers\[0\]\.plan is not/,
    ],
    ['a missing apiKey', { customers: [{ ...customer, apiKey: '' }] }, /^customers\[0\]\.apiKey/],
    [
      'an externalId of ..',
      { customers: [{ ...customer, externalId: '..' }] },
      /^customers\[0\]\.externalId/,
    ],
    [
      'a bad email',
      { customers: [{ ...customer, email: 'nope' }] },
      /^customers\[0\]\.email must be a valid/,
    ],
    [
      'a missing name',
      { customers: [{ ...customer, name: undefined }] },
      /^customers\[0\]\.name is required/,
    ],
    [
      'metadata as an array',
      { customers: [{ ...customer, metadata: [] }] },
      /^customers\[0\]\.metadata must/,
    ],
    [
      'a bad time',
      { customers: [{ ...customer, createdAt: 'yesterday' }] },
      /^customers\[0\]\.createdAt must/,
    ],
    [
      'an externalId twice for one key',
      { customers: [customer, { ...customer, email: 'other@acme.com' }] },
      /^customers\[1\]\.externalId appears twice/,
    ],
    [
      'an email twice for one key',
      { customers: [customer, { ...customer, externalId: 'user_2', email: 'JOHN@acme.com' }] },
      /^customers\[1\]\.email appears twice/,
    ],
  ])('answers 400 naming the place of %s, and changes nothing', async (_label, body, message) => {
    await send(emulator(), 'user_kept', { body: john });
    const answer = await admin(emulator(), 'PUT', '/snapshot', body);
    expect([answer.status, answer.body]).toEqual([400, validationError(message)]);
    expect(
      emulator()
        .customers(KEY)
        .map((c) => c.externalId),
    ).toEqual(['user_kept']);
  });

  it('restores the same externalId under two keys', async () => {
    const answer = await admin(emulator(), 'PUT', '/snapshot', {
      customers: [customer, { ...customer, apiKey: OTHER_KEY }],
    });
    expect(answer.body).toEqual({ restored: 2 });
  });
});

describe('admin routing', () => {
  const emulator = useEmulator();

  it('answers 404 with the error envelope to an unknown admin route', async () => {
    const answer = await admin(emulator(), 'GET', '/nothing');
    expect([answer.status, answer.body.error.code]).toEqual([404, 'NOT_FOUND']);
  });

  it.each([
    ['PUT', '/customers', 'GET'],
    ['GET', '/reset', 'POST'],
    ['PATCH', '/faults', 'GET, POST, DELETE'],
  ])('answers 405 with Allow to %s %s', async (method, path, allow) => {
    const answer = await admin(emulator(), method, path);
    expect([answer.status, answer.headers.get('allow'), answer.body.error.code]).toEqual([
      405,
      allow,
      'METHOD_NOT_ALLOWED',
    ]);
  });

  it('refuses a request sent from a page of another origin, and changes nothing', async () => {
    await send(emulator(), 'user_1', { body: john });
    const answer = await admin(emulator(), 'POST', '/reset', undefined, { origin: 'https://evil.example' });
    expect([answer.status, answer.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect(emulator().customers(KEY)).toHaveLength(1);
  });

  it('accepts a request from its own page', async () => {
    const origin = emulator().url;
    const answer = await admin(emulator(), 'POST', '/faults', { status: 500 }, { origin });
    expect(answer.status).toBe(201);
  });

  it.each([
    ['a name that is not loopback, as a DNS-rebinding page sends', 'rebind.example', 403],
    ['localhost', 'localhost', 200],
    ['an IPv6 loopback', '[::1]', 200],
  ])('answers a Host of %s with %i', async (_label, hostname, expected) => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port: emulator().port,
        path: '/__emulator/faults',
        headers: { host: `${hostname}:${emulator().port}` },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(expected);
  });
});
