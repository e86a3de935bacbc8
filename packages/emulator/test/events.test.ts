import { get, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_EVENT_CLIENTS } from '../src/admin/events.js';
import type { Emulator } from '../src/index.js';
import { john, send, useEmulator } from './support.js';

const LONG_KEY = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc';

interface ServerEvent {
  event: string;
  data: unknown;
}

interface EventStream {
  response: IncomingMessage;
  events: ServerEvent[];
  ended: Promise<void>;
  close(): void;
}

const open = new Set<EventStream>();

afterEach(() => {
  for (const stream of open) stream.close();
  open.clear();
});

/** Open GET /__emulator/events and parse what comes as it comes. */
function openEvents(emulator: Emulator): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const req = get(`${emulator.url}/__emulator/events`, (response) => {
      const events: ServerEvent[] = [];
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
          end = buffer.indexOf('\n\n');
        }
      });
      const ended = new Promise<void>((done) => response.on('close', done));
      const stream = { response, events, ended, close: () => req.destroy() };
      open.add(stream);
      resolve(stream);
    });
    req.on('error', reject);
  });
}

describe('GET /__emulator/events', () => {
  const emulator = useEmulator();

  it('answers text/event-stream', async () => {
    const stream = await openEvents(emulator());
    expect([stream.response.statusCode, stream.response.headers['content-type']]).toEqual([
      200,
      'text/event-stream; charset=utf-8',
    ]);
  });

  it('sends one request event per answered request, with the logged request, key masked', async () => {
    const stream = await openEvents(emulator());
    await send(emulator(), 'user_1', { apiKey: LONG_KEY, body: john });
    await send(emulator(), 'user_2', { apiKey: LONG_KEY, body: { name: 'no email' } });
    emulator().inject({ drop: true, times: 1 });
    await send(emulator(), 'user_3', { apiKey: LONG_KEY, body: john }).catch(() => undefined);
    await vi.waitFor(() => expect(stream.events.filter((e) => e.event === 'request')).toHaveLength(3));
    const requests = stream.events.filter((e) => e.event === 'request').map((e) => e.data);
    expect(requests).toEqual([
      expect.objectContaining({ id: 1, externalId: 'user_1', status: 200, apiKey: 'sk_t…p7dc', body: john }),
      expect.objectContaining({ id: 2, externalId: 'user_2', status: 400 }),
      expect.objectContaining({
        id: 3,
        externalId: 'user_3',
        status: 'dropped',
        fault: { drop: true, times: 1 },
      }),
    ]);
    expect(requests[0]).toMatchObject({
      durationMs: expect.any(Number),
      headers: { 'x-api-key': 'sk_t…p7dc' },
    });
    expect(JSON.stringify(stream.events)).not.toContain(LONG_KEY);
  });

  it('tells what changed when faults, the rate limit or the data change', async () => {
    const stream = await openEvents(emulator());
    emulator().inject({ status: 500 });
    emulator().setRateLimit({ perSecond: 5 });
    emulator().reset();
    await vi.waitFor(() => expect(stream.events).toHaveLength(3));
    expect(stream.events).toEqual([
      { event: 'changed', data: { what: 'faults' } },
      { event: 'changed', data: { what: 'rate-limit' } },
      { event: 'changed', data: { what: 'reset' } },
    ]);
  });

  it('starts no timer: an idle stream does not keep the process alive', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    const stream = await openEvents(emulator());
    await send(emulator(), 'user_1', { body: john });
    await vi.waitFor(() => expect(stream.events).toHaveLength(1));
    expect(timers()).toBeLessThanOrEqual(before);
  });

  it('is ended by close(), which resolves with the stream open', async () => {
    const stream = await openEvents(emulator());
    await emulator().close();
    await stream.ended;
    expect(stream.response.complete).toBe(true);
  });

  it(`answers 503 past ${MAX_EVENT_CLIENTS} open streams`, async () => {
    const streams = await Promise.all(
      Array.from({ length: MAX_EVENT_CLIENTS }, () => openEvents(emulator())),
    );
    const extra = await openEvents(emulator());
    expect([streams.every((s) => s.response.statusCode === 200), extra.response.statusCode]).toEqual([
      true,
      503,
    ]);
  });

  it('cuts off a client that stops reading instead of buffering for it without bound', async () => {
    const server = emulator();
    // A raw socket that asks for events and then reads nothing while the events pile up.
    const socket = connect(server.port, '127.0.0.1');
    let received = 0;
    let closed = false;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
    });
    socket.write(`GET /__emulator/events HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
    await vi.waitFor(() => expect(received).toBeGreaterThan(0));
    socket.pause();

    // Each event carries a 15 KB body: enough requests to fill the socket buffers many times over.
    const body = { ...john, metadata: { blob: 'x'.repeat(15 * 1024) } };
    let sent = 0;
    for (let round = 0; round < 100 && !closed; round++) {
      await Promise.all(Array.from({ length: 20 }, (_, i) => send(server, `user_${round}_${i}`, { body })));
      sent += 20 * 15 * 1024;
    }
    socket.resume();
    await vi.waitFor(() => expect(closed).toBe(true), { timeout: 10_000 });
    expect(received).toBeLessThan(sent);
  });
});
