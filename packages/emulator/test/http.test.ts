import { request } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { john, KEY, OTHER_KEY, send, sendTo, useEmulator } from './support.js';

const envelope = (code: string) => ({
  success: false,
  error: { code, message: expect.any(String) },
  timestamp: expect.any(String),
});

/** A request with the target sent exactly as given: fetch would resolve dot segments away. */
function rawRequest(
  emulator: Emulator,
  method: string,
  target: string,
  body: string,
): Promise<{ status: number | undefined; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port: emulator.port,
      method,
      path: target,
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('authentication', () => {
  const emulator = useEmulator();

  it.each([
    ['no X-API-Key header', null],
    ['an empty X-API-Key', ''],
  ])('answers 401 UNAUTHORIZED with %s', async (_label, apiKey) => {
    const answer = await send(emulator(), 'user_42', { apiKey, body: john });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual(envelope('UNAUTHORIZED'));
  });

  it('accepts any non-empty key when apiKeys is not given', async () => {
    const answer = await send(emulator(), 'user_42', { apiKey: 'anything', body: john });
    expect(answer.status).toBe(200);
  });
});

describe('authentication with apiKeys', () => {
  const emulator = useEmulator({ apiKeys: [KEY] });

  it('answers 401 to a key that is not listed, without echoing it', async () => {
    const answer = await send(emulator(), 'user_42', { apiKey: OTHER_KEY, body: john });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual(envelope('UNAUTHORIZED'));
    expect(answer.text).not.toContain(OTHER_KEY);
  });

  it('accepts a listed key', async () => {
    const answer = await send(emulator(), 'user_42', { apiKey: KEY, body: john });
    expect(answer.status).toBe(200);
  });
});

describe('routing', () => {
  const emulator = useEmulator();

  it.each([
    '/',
    '/api/v1',
    '/api/v1/customers',
    '/api/v1/customers/',
    '/api/v1/customers/a/b',
    '/api/v1/customers/user_42/',
    '/api/v2/customers/user_42',
    '/api/v1/users/user_42',
  ])('answers 404 NOT_FOUND with the error envelope for %s', async (path) => {
    const answer = await sendTo(emulator(), path, { body: john });
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual(envelope('NOT_FOUND'));
  });

  it.each(['GET', 'POST', 'PUT', 'DELETE'])(
    'answers 405 with Allow: PATCH to %s on a customer',
    async (method) => {
      const answer = await send(emulator(), 'user_42', {
        method,
        ...(method === 'GET' ? {} : { body: john }),
      });
      expect(answer.status).toBe(405);
      expect(answer.headers.get('allow')).toBe('PATCH');
      expect(answer.body).toEqual(envelope('METHOD_NOT_ALLOWED'));
    },
  );

  it('ignores a query string', async () => {
    const answer = await sendTo(emulator(), '/api/v1/customers/user_42?source=test', { body: john });
    expect(answer.status).toBe(200);
    expect(answer.body.data.customer.externalId).toBe('user_42');
  });

  it.each(['..', '.', '%2E%2E', '%2e'])(
    'answers 400 to the dot segment %s sent raw, and stores no customer',
    async (segment) => {
      const answer = await rawRequest(
        emulator(),
        'PATCH',
        `/api/v1/customers/${segment}`,
        JSON.stringify(john),
      );
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.text)).toEqual(envelope('VALIDATION_ERROR'));
      expect(emulator().customers(KEY)).toEqual([]);
    },
  );

  it('answers 400 to a segment that is not valid percent-encoding', async () => {
    const answer = await sendTo(emulator(), '/api/v1/customers/%E0%A4%A', { body: john });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(envelope('VALIDATION_ERROR'));
  });
});

describe('request body', () => {
  const emulator = useEmulator();

  it('answers 400 INVALID_JSON to a body that is not JSON', async () => {
    const answer = await send(emulator(), 'user_42', { body: '{"email": "john@acme.com",' });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(envelope('INVALID_JSON'));
  });

  it.each([
    ['an array', '[1, 2]'],
    ['a string', '"john"'],
    ['null', 'null'],
  ])('answers 400 VALIDATION_ERROR to a JSON body that is %s', async (_label, body) => {
    const answer = await send(emulator(), 'user_42', { body });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(envelope('VALIDATION_ERROR'));
  });

  it('answers 400 VALIDATION_ERROR to an empty body', async () => {
    const answer = await send(emulator(), 'user_42', {});
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(envelope('VALIDATION_ERROR'));
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['no Content-Type', null],
  ])('answers 415 UNSUPPORTED_MEDIA_TYPE to a body sent as %s', async (_label, contentType) => {
    const answer = await send(emulator(), 'user_42', { body: JSON.stringify(john), contentType });
    expect(answer.status).toBe(415);
    expect(answer.body).toEqual(envelope('UNSUPPORTED_MEDIA_TYPE'));
  });

  it('accepts application/json with a charset', async () => {
    const answer = await send(emulator(), 'user_42', {
      body: john,
      contentType: 'application/json; charset=utf-8',
    });
    expect(answer.status).toBe(200);
  });

  it('answers 413 PAYLOAD_TOO_LARGE to a body over 1 MB', async () => {
    const metadata = { blob: 'x'.repeat(1024 * 1024) };
    const answer = await send(emulator(), 'user_42', { body: { ...john, metadata } });
    expect(answer.status).toBe(413);
    expect(answer.body).toEqual(envelope('PAYLOAD_TOO_LARGE'));
    expect(emulator().customers(KEY)).toEqual([]);
  });

  it('answers 413 to a chunked body over 1 MB that declares no length', async () => {
    const server = emulator();
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(`${server.baseUrl}/customers/user_42`, {
        method: 'PATCH',
        headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
      const chunk = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 17; i++) req.write(chunk);
      req.end();
    });
    expect(status).toBe(413);
  });
});

/** Opens a raw connection, writes `head`, then sends nothing more; resolves what came back once closed. */
function stall(emulator: Emulator, head: string): Promise<string | 'still open'> {
  return new Promise((resolve, reject) => {
    const socket = connect(emulator.port, '127.0.0.1', () => socket.write(head));
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
    });
    socket.on('error', reject);
    // Bounded: long after the timeout under test, short of the test's own.
    const giveUp = setTimeout(() => {
      socket.destroy();
      resolve('still open');
    }, 10_000);
    socket.on('close', () => {
      clearTimeout(giveUp);
      resolve(received);
    });
  });
}

describe('request timeout', () => {
  const emulator = useEmulator({ requestTimeoutMs: 200 });
  const headers = `PATCH /api/v1/customers/user_42 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: ${KEY}\r\nContent-Type: application/json\r\n`;

  it('answers 408 REQUEST_TIMEOUT and closes a connection whose body stops coming', async () => {
    const received = await stall(emulator(), `${headers}Content-Length: 100\r\n\r\n{"email":`);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(received).toContain('"code":"REQUEST_TIMEOUT"');
    expect(emulator().requests).toEqual([
      expect.objectContaining({ externalId: 'user_42', body: undefined }),
    ]);
    expect(emulator().customers(KEY)).toEqual([]);
  });

  it('closes a connection whose headers stop coming', async () => {
    const received = await stall(emulator(), headers);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('refuses a requestTimeoutMs that is not a positive number', async () => {
    await expect(startEmulator({ requestTimeoutMs: 0 })).rejects.toThrow(/requestTimeoutMs/);
  });
});

describe('listening', () => {
  it('listens on 127.0.0.1 and a free port by default and names the base URL', async () => {
    const emulator = await startEmulator();
    try {
      expect(emulator.port).toBeGreaterThan(0);
      expect(emulator.url).toBe(`http://127.0.0.1:${emulator.port}`);
      expect(emulator.baseUrl).toBe(`http://127.0.0.1:${emulator.port}/api/v1`);
    } finally {
      await emulator.close();
    }
  });

  it.each([
    [{ port: -1 }, /port/],
    [{ port: 1.5 }, /port/],
    [{ host: '' }, /host/],
    [{ apiKeys: [] }, /apiKeys/],
    [{ apiKeys: [''] }, /apiKeys/],
    [{ maxRecordedRequests: -1 }, /maxRecordedRequests/],
  ])('refuses the option %j with a message naming it', async (options, message) => {
    await expect(startEmulator(options)).rejects.toThrow(message);
  });

  it('rejects when the port is taken', async () => {
    const first = await startEmulator();
    try {
      await expect(startEmulator({ port: first.port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.close();
    }
  });
});
