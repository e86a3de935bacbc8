import { describe, expect, it } from 'vitest';
import { type ResponseEvent, startEmulator } from '../src/index.js';
import { john, KEY, send, sendTo, useEmulator } from './support.js';

describe('recorded requests', () => {
  const emulator = useEmulator();

  it('records method, raw path, decoded externalId, API key, headers, parsed body and time', async () => {
    await send(emulator(), 'a/b', { body: john });
    expect(emulator().requests).toEqual([
      {
        method: 'PATCH',
        path: '/api/v1/customers/a%2Fb',
        externalId: 'a/b',
        apiKey: KEY,
        headers: expect.objectContaining({ 'x-api-key': KEY, 'content-type': 'application/json' }),
        body: john,
        receivedAt: expect.stringMatching(/Z$/),
      },
    ]);
  });

  it('records a body that is not JSON as its raw text', async () => {
    await send(emulator(), 'user_42', { body: 'not json' });
    expect(emulator().requests[0]?.body).toBe('not json');
  });

  it('records a request without a key and outside the route, leaving out what it lacks', async () => {
    await sendTo(emulator(), '/health', { method: 'GET', apiKey: null, contentType: null });
    const [recorded] = emulator().requests;
    expect(recorded).toMatchObject({ method: 'GET', path: '/health', body: undefined });
    expect(recorded).not.toHaveProperty('externalId');
    expect(recorded).not.toHaveProperty('apiKey');
  });

  it('counts upserts of one customer or of all', async () => {
    await send(emulator(), 'user_1', { body: john });
    await send(emulator(), 'user_1', { body: { name: 'J' } });
    await send(emulator(), 'user_2', { body: { email: 'x@acme.com' } });
    await sendTo(emulator(), '/elsewhere', { body: john });
    expect([
      emulator().upsertCount('user_1'),
      emulator().upsertCount('user_2'),
      emulator().upsertCount(),
    ]).toEqual([2, 1, 3]);
  });

  it('returns a copy of the list, so changing it changes nothing recorded', async () => {
    await send(emulator(), 'user_42', { body: john });
    emulator().requests.length = 0;
    expect(emulator().requests).toHaveLength(1);
  });
});

describe('recording bounds', () => {
  const emulator = useEmulator();

  it('keeps the latest 1,000 requests by default', async () => {
    for (let i = 0; i <= 1_000; i++) await send(emulator(), `user_${i}`, { body: { name: 'x' } });
    const { requests } = emulator();
    expect([requests.length, requests[0]?.externalId, emulator().requestCount]).toEqual([
      1_000,
      'user_1',
      1_001,
    ]);
  });

  it('cuts a recorded body at 16 KB and says so, however large the request was', async () => {
    const body = JSON.stringify({ ...john, metadata: { blob: 'é'.repeat(450 * 1024) } });
    const answer = await send(emulator(), 'user_42', { body });
    const [recorded] = emulator().requests;
    expect(answer.status).toBe(200);
    expect(recorded?.bodyTruncated).toBe(true);
    expect(typeof recorded?.body).toBe('string');
    expect(Buffer.byteLength(recorded?.body as string)).toBeLessThanOrEqual(16 * 1024);
    expect(body.startsWith(recorded?.body as string)).toBe(true);
  });

  it('keeps a body under 16 KB whole, parsed, without the truncation mark', async () => {
    const metadata = { blob: 'x'.repeat(15 * 1024) };
    await send(emulator(), 'user_42', { body: { ...john, metadata } });
    const [recorded] = emulator().requests;
    expect(recorded?.body).toEqual({ ...john, metadata });
    expect(recorded).not.toHaveProperty('bodyTruncated');
  });
});

describe('recording limit', () => {
  const emulator = useEmulator({ maxRecordedRequests: 3 });

  it('keeps only the latest maxRecordedRequests, oldest first, while requestCount counts them all', async () => {
    for (let i = 1; i <= 5; i++)
      await send(emulator(), `user_${i}`, { body: { email: `u${i}@acme.com`, name: 'U' } });
    expect(emulator().requests.map((r) => r.externalId)).toEqual(['user_3', 'user_4', 'user_5']);
    expect(emulator().requestCount).toBe(5);
  });
});

describe('reset', () => {
  const emulator = useEmulator();

  it('drops customers, faults, recorded requests and the request count', async () => {
    await send(emulator(), 'user_42', { body: john });
    emulator().inject({ status: 500 });
    emulator().reset();
    expect([emulator().customers(KEY), emulator().requests, emulator().requestCount]).toEqual([[], [], 0]);
    const answer = await send(emulator(), 'user_42', { body: john });
    expect(answer.body.data.wasCreated).toBe(true);
  });
});

describe('onResponse', () => {
  it('reports each answered request with its status, and a dropped one as dropped', async () => {
    const events: ResponseEvent[] = [];
    const emulator = await startEmulator({ onResponse: (event) => events.push(event) });
    try {
      await send(emulator, 'user_42', { body: john });
      emulator.inject({ drop: true, times: 1 });
      await send(emulator, 'user_42', { body: john }).catch(() => undefined);
      for (let i = 0; i < 100 && events.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
      expect(events).toEqual([
        { method: 'PATCH', path: '/api/v1/customers/user_42', externalId: 'user_42', status: 200 },
        { method: 'PATCH', path: '/api/v1/customers/user_42', externalId: 'user_42', status: 'dropped' },
      ]);
    } finally {
      await emulator.close();
    }
  });

  it('keeps answering when onResponse throws', async () => {
    const emulator = await startEmulator({
      onResponse: () => {
        throw new Error('logger broke');
      },
    });
    try {
      const first = await send(emulator, 'user_1', { body: john });
      const second = await send(emulator, 'user_1', { body: john });
      expect([first.status, second.status]).toEqual([200, 200]);
    } finally {
      await emulator.close();
    }
  });
});

describe('close', () => {
  it('stops listening, so a new request cannot connect', async () => {
    const emulator = await startEmulator();
    await send(emulator, 'user_42', { body: john });
    await emulator.close();
    await expect(send(emulator, 'user_42', { body: john })).rejects.toThrow(TypeError);
  });

  it('resolves when called again, and when called twice at once', async () => {
    const emulator = await startEmulator();
    await Promise.all([emulator.close(), emulator.close()]);
    await expect(emulator.close()).resolves.toBeUndefined();
  });

  it('resolves while a client keeps an idle connection open', async () => {
    const emulator = await startEmulator();
    // fetch keeps this connection alive in its pool; close() must not wait for it to time out.
    await send(emulator, 'user_42', { body: john });
    await expect(emulator.close()).resolves.toBeUndefined();
  });
});
