import { describe, expect, it } from 'vitest';
import type { Fault } from '../src/index.js';
import { john, KEY, send, useEmulator } from './support.js';

describe('fault injection', () => {
  const emulator = useEmulator();

  it.each([
    [500, 'INTERNAL_ERROR'],
    [502, 'BAD_GATEWAY'],
    [503, 'SERVICE_UNAVAILABLE'],
    [429, 'RATE_LIMITED'],
    [408, 'REQUEST_TIMEOUT'],
    [403, 'FORBIDDEN'],
    [418, 'I_M_A_TEAPOT'],
  ])('answers status %i with the error envelope and code %s by default', async (status, code) => {
    emulator().inject({ status });
    const answer = await send(emulator(), 'user_42', { body: john });
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual({
      success: false,
      error: { code, message: expect.any(String) },
      timestamp: expect.any(String),
    });
  });

  it('sends a string body raw, as a proxy error page would be', async () => {
    emulator().inject({ status: 502, body: '<html><body>Bad Gateway</body></html>' });
    const answer = await send(emulator(), 'user_42', { body: john });
    expect(answer.status).toBe(502);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(answer.text).toBe('<html><body>Bad Gateway</body></html>');
  });

  it('sends an object body as JSON', async () => {
    emulator().inject({ status: 400, body: { code: 'VALIDATION_ERROR', message: 'top-level shape' } });
    const answer = await send(emulator(), 'user_42', { body: john });
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.body).toEqual({ code: 'VALIDATION_ERROR', message: 'top-level shape' });
  });

  it('sends an empty string body as an empty response', async () => {
    emulator().inject({ status: 500, body: '' });
    const answer = await send(emulator(), 'user_42', { body: john });
    expect(answer.status).toBe(500);
    expect(answer.text).toBe('');
  });

  it.each([
    [3, '3'],
    ['Wed, 21 Oct 2026 07:28:00 GMT', 'Wed, 21 Oct 2026 07:28:00 GMT'],
  ])('sets Retry-After from retryAfter %j', async (retryAfter, header) => {
    emulator().inject({ status: 429, retryAfter });
    const answer = await send(emulator(), 'user_42', { body: john });
    expect(answer.headers.get('retry-after')).toBe(header);
  });

  it('sets the extra headers of a fault, such as the Location of a redirect', async () => {
    emulator().inject({ status: 307, headers: { location: 'http://127.0.0.2/elsewhere' } });
    const response = await fetch(`${emulator().baseUrl}/customers/user_42`, {
      method: 'PATCH',
      redirect: 'manual',
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify(john),
    });
    await response.arrayBuffer();
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toBe('http://127.0.0.2/elsewhere');
  });

  it('applies a fault with times to that many requests, then answers normally', async () => {
    emulator().inject({ status: 503, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await send(emulator(), 'user_42', { body: john })).status);
    expect(statuses).toEqual([503, 503, 200]);
  });

  it('applies a fault without times to every request until reset', async () => {
    emulator().inject({ status: 500 });
    const before = [];
    for (let i = 0; i < 3; i++) before.push((await send(emulator(), 'user_42', { body: john })).status);
    emulator().reset();
    const after = await send(emulator(), 'user_42', { body: john });
    expect([...before, after.status]).toEqual([500, 500, 500, 200]);
  });

  it('limits a fault with externalId to that customer', async () => {
    emulator().inject({ status: 500, externalId: 'a/b' });
    const other = await send(emulator(), 'user_42', { body: john });
    const target = await send(emulator(), 'a/b', { body: { email: 'ab@acme.com', name: 'AB' } });
    expect([other.status, target.status]).toEqual([200, 500]);
  });

  it('takes the first matching fault in the order they were injected', async () => {
    emulator().inject({ status: 503, times: 1 });
    emulator().inject({ status: 429, times: 1 });
    const first = await send(emulator(), 'user_42', { body: john });
    const second = await send(emulator(), 'user_42', { body: john });
    expect([first.status, second.status]).toEqual([503, 429]);
  });

  it('skips a fault for another customer and takes a later one that matches', async () => {
    emulator().inject({ status: 500, externalId: 'someone_else' });
    emulator().inject({ status: 429, times: 1 });
    const answer = await send(emulator(), 'user_42', { body: john });
    expect(answer.status).toBe(429);
  });

  it('destroys the connection without a response when drop is set', async () => {
    emulator().inject({ drop: true, times: 1 });
    await expect(send(emulator(), 'user_42', { body: john })).rejects.toThrow(TypeError);
    const next = await send(emulator(), 'user_42', { body: john });
    expect(next.status).toBe(200);
  });

  it('does not change data for a faulted request', async () => {
    emulator().inject({ status: 500, times: 1 });
    await send(emulator(), 'user_42', { body: john });
    expect(emulator().customers(KEY)).toEqual([]);
  });

  it('records a faulted request', async () => {
    emulator().inject({ drop: true, times: 1 });
    await send(emulator(), 'user_42', { body: john }).catch(() => undefined);
    expect(emulator().requests).toEqual([expect.objectContaining({ externalId: 'user_42', body: john })]);
  });

  it('holds the answer back while latencyMs runs, and stores nothing meanwhile', async () => {
    emulator().inject({ latencyMs: 60_000 });
    const controller = new AbortController();
    let settled = false;
    const pending = send(emulator(), 'user_42', { body: john, signal: controller.signal }).finally(() => {
      settled = true;
    });
    for (let i = 0; i < 200 && emulator().requestCount === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(emulator().requestCount).toBe(1);
    expect(settled).toBe(false);
    expect(emulator().customers(KEY)).toEqual([]);
    controller.abort();
    await expect(pending).rejects.toThrow();
  });

  it('answers normally after latencyMs when the fault has no status', async () => {
    emulator().inject({ latencyMs: 20, times: 1 });
    const answer = await send(emulator(), 'user_42', { body: john });
    expect(answer.status).toBe(200);
    expect(answer.body.data.wasCreated).toBe(true);
  });

  it('answers the fault status after latencyMs when both are set', async () => {
    emulator().inject({ latencyMs: 20, status: 504 });
    const answer = await send(emulator(), 'user_42', { body: john });
    expect(answer.status).toBe(504);
  });

  it('lets close() end a request still waiting on latencyMs', async () => {
    emulator().inject({ latencyMs: 60_000 });
    const pending = send(emulator(), 'user_42', { body: john });
    for (let i = 0; i < 200 && emulator().requestCount === 0; i++) await new Promise((r) => setTimeout(r, 5));
    await emulator().close();
    await expect(pending).rejects.toThrow(TypeError);
  });

  it.each<[string, Fault]>([
    ['an empty fault', {}],
    ['a status out of range', { status: 99 }],
    ['a fractional status', { status: 500.5 }],
    ['drop with a status', { drop: true, status: 500 }],
    ['a body without status', { body: 'oops', latencyMs: 1 }],
    ['retryAfter without status', { retryAfter: 1, latencyMs: 1 }],
    ['zero times', { status: 500, times: 0 }],
    ['negative latency', { latencyMs: -1 }],
  ])('throws a TypeError when injecting %s', (_label, fault) => {
    expect(() => emulator().inject(fault)).toThrow(TypeError);
  });

  it('keeps its own copy of a fault, so changing the object later changes nothing', async () => {
    const fault: Fault = { status: 500 };
    emulator().inject(fault);
    fault.status = 418;
    const answer = await send(emulator(), 'user_42', { body: john });
    expect(answer.status).toBe(500);
  });
});
