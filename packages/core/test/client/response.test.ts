import { afterEach, describe, expect, it } from 'vitest';
import { cleanServerText, keyPattern } from '../../src/client/response.js';
import {
  CustomerEmailExistsError,
  SupportDeskApiError,
  SupportDeskConnectionError,
  SupportDeskValidationError,
} from '../../src/errors.js';
import {
  type FaultHandler,
  type FaultServer,
  recordingSleep,
  rejectionOf,
  reply,
  startFaultServer,
  testClient,
  upsertSuccess,
  waitFor,
} from '../support/fault-server.js';

const john = { email: 'john@acme.com', name: 'John Doe' };
const servers: FaultServer[] = [];

async function serve(handler: FaultHandler): Promise<FaultServer> {
  const server = await startFaultServer(handler);
  servers.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('SupportDeskClient and redirects', () => {
  it.each([301, 302, 303, 307, 308])(
    'rejects a %i without following it, so the other host gets no request',
    async (status) => {
      const elsewhere = await serve((res) => reply(res, 200, upsertSuccess('user_42')));
      const server = await serve((res) =>
        reply(res, status, '', { location: `${elsewhere.baseUrl}/customers/user_42` }),
      );
      const error = await rejectionOf(testClient(server.baseUrl).upsertCustomer('user_42', john));
      expect(error).toBeInstanceOf(SupportDeskApiError);
      expect(error).toMatchObject({ status, code: 'API_ERROR', retryable: false, externalId: 'user_42' });
      expect((error as Error).message).toMatch(/redirect/);
      expect(server.requests).toHaveLength(1);
      expect(elsewhere.requests).toHaveLength(0);
    },
  );

  it('says the redirect was not followed and to check baseUrl, and nothing of its body or Location', async () => {
    const server = await serve((res) =>
      reply(
        res,
        301,
        { error: { code: 'MOVED', message: 'Moved to the new region' } },
        { location: 'https://other.example/api/v1/customers/user_42?token=abc' },
      ),
    );
    const error = (await rejectionOf(testClient(server.baseUrl).upsertCustomer('user_42', john))) as Error;
    expect(error.message).toBe(
      'SupportDesk answered 301, a redirect, which is never followed so the API key cannot reach another host: check baseUrl',
    );
    expect(error).toMatchObject({ code: 'API_ERROR' });
  });

  it('reads a redirect body over the error cap without keeping it, and does not retry', async () => {
    const server = await serve((res) => reply(res, 302, 'x'.repeat(100_000), { location: '/elsewhere' }));
    const error = await rejectionOf(testClient(server.baseUrl).upsertCustomer('user_42', john));
    expect(error).toMatchObject({ status: 302, retryable: false });
    expect(server.requests).toHaveLength(1);
  });
});

describe('SupportDeskClient and error bodies', () => {
  it('falls back to the status for truncated JSON', async () => {
    const server = await serve((res) => reply(res, 500, '{"success":false,"error":{"code":"INTER'));
    const error = await rejectionOf(
      testClient(server.baseUrl, { maxRetries: 0 }).upsertCustomer('user_42', john),
    );
    expect(error).toBeInstanceOf(SupportDeskApiError);
    expect(error).toMatchObject({ status: 500, code: 'API_ERROR', retryable: true });
    expect((error as Error).message).toBe('SupportDesk answered 500');
  });

  it('falls back to the status for an HTML page from a proxy, and retries it', async () => {
    const server = await serve((res) =>
      reply(res, 502, '<html><body><h1>502 Bad Gateway</h1></body></html>'),
    );
    const error = await rejectionOf(testClient(server.baseUrl).upsertCustomer('user_42', john));
    expect(error).toMatchObject({ status: 502, code: 'API_ERROR', retryable: true });
    expect((error as Error).message).not.toContain('<');
    expect(server.requests).toHaveLength(3);
  });

  it('falls back to the status for an empty body', async () => {
    const server = await serve((res) => reply(res, 503));
    const error = await rejectionOf(
      testClient(server.baseUrl, { maxRetries: 0 }).upsertCustomer('user_42', john),
    );
    expect(error).toMatchObject({ status: 503, code: 'API_ERROR', retryable: true });
  });

  it('reads code and message from the documented envelope', async () => {
    const server = await serve((res) =>
      reply(res, 400, { success: false, error: { code: 'VALIDATION_ERROR', message: 'email is required' } }),
    );
    const error = await rejectionOf(testClient(server.baseUrl).upsertCustomer('user_42', john));
    expect(error).toBeInstanceOf(SupportDeskValidationError);
    expect((error as Error).message).toContain('email is required');
  });

  it('reads code and message at the top level of the body', async () => {
    const server = await serve((res) =>
      reply(res, 409, { code: 'EMAIL_TAKEN', message: 'That email is in use' }),
    );
    const error = await rejectionOf(testClient(server.baseUrl).upsertCustomer('user_42', john));
    expect(error).toBeInstanceOf(CustomerEmailExistsError);
    expect(error).toMatchObject({ status: 409, code: 'EMAIL_TAKEN' });
    expect((error as Error).message).toContain('That email is in use');
  });

  it('reads a message given as { error: "text" }', async () => {
    const server = await serve((res) => reply(res, 422, { error: 'Unprocessable customer' }));
    const error = await rejectionOf(testClient(server.baseUrl).upsertCustomer('user_42', john));
    expect(error).toMatchObject({ status: 422, code: 'API_ERROR', retryable: false });
    expect((error as Error).message).toContain('Unprocessable customer');
  });

  it('keeps its own code when the server sends one that does not look like a code', async () => {
    const server = await serve((res) => reply(res, 400, { code: 'not a code <script>', message: 'bad' }));
    const error = await rejectionOf(testClient(server.baseUrl).upsertCustomer('user_42', john));
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it('truncates a long server message and drops its control characters', async () => {
    const message = `line one\r\nline two ${'x'.repeat(5_000)}`;
    const server = await serve((res) => reply(res, 400, { error: { code: 'VALIDATION_ERROR', message } }));
    const error = (await rejectionOf(testClient(server.baseUrl).upsertCustomer('user_42', john))) as Error;
    expect(error.message).toContain('line one line two');
    expect(error.message).not.toMatch(/[\r\n]/);
    expect(error.message.length).toBeLessThan(400);
  });

  it('falls back to the status for an error body over its size cap', async () => {
    const server = await serve((res) => reply(res, 400, { error: { message: 'm'.repeat(100_000) } }));
    const error = (await rejectionOf(testClient(server.baseUrl).upsertCustomer('user_42', john))) as Error;
    expect(error.message).toBe('SupportDesk refused the input (400)');
  });
});

describe('SupportDeskClient and success bodies', () => {
  it.each([
    ['empty', ''],
    ['not JSON', 'OK'],
    ['truncated JSON', '{"success":true,"data":{"cust'],
    ['an envelope without data', { success: true }],
    [
      'a customer without id',
      { success: true, data: { customer: { externalId: 'user_42' }, wasCreated: true } },
    ],
    ['success false', { success: false, data: {} }],
    ['a JSON array', []],
  ])('rejects a 200 whose body is %s with INVALID_RESPONSE, without retrying', async (_case, body) => {
    const server = await serve((res) => reply(res, 200, body));
    const error = await rejectionOf(testClient(server.baseUrl).upsertCustomer('user_42', john));
    expect(error).toBeInstanceOf(SupportDeskApiError);
    expect(error).toMatchObject({
      status: 200,
      code: 'INVALID_RESPONSE',
      retryable: false,
      externalId: 'user_42',
    });
    expect(server.requests).toHaveLength(1);
  });

  it('rejects a success body over its size cap with INVALID_RESPONSE', async () => {
    const body = upsertSuccess('user_42', true, { blob: 'x'.repeat(1_100_000) });
    const server = await serve((res) => reply(res, 200, body));
    const error = await rejectionOf(testClient(server.baseUrl).upsertCustomer('user_42', john));
    expect(error).toMatchObject({ code: 'INVALID_RESPONSE' });
  });

  it('keeps customer fields the SDK does not know', async () => {
    const body = upsertSuccess('user_42') as { data: { customer: Record<string, unknown> } };
    body.data.customer.tier = 'gold';
    const server = await serve((res) => reply(res, 200, body));
    const { customer } = await testClient(server.baseUrl).upsertCustomer('user_42', john);
    expect(customer.tier).toBe('gold');
  });

  it('accepts any 2xx status as success', async () => {
    const server = await serve((res) => reply(res, 201, upsertSuccess('user_42')));
    await expect(testClient(server.baseUrl).upsertCustomer('user_42', john)).resolves.toMatchObject({
      wasCreated: true,
    });
  });
});

describe('SupportDeskClient and broken connections', () => {
  it('retries a connection cut in the middle of the body', async () => {
    const server = await serve((res, _request, index) => {
      if (index > 0) return reply(res, 200, upsertSuccess('user_42'));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
      res.write('{"success":true,');
      setImmediate(() => res.destroy());
    });
    const result = await testClient(server.baseUrl).upsertCustomer('user_42', john);
    expect(result.wasCreated).toBe(true);
    expect(server.requests).toHaveLength(2);
  });

  it('rejects with a retryable SupportDeskConnectionError when nothing listens', async () => {
    const server = await serve(() => undefined);
    await server.close();
    const error = await rejectionOf(
      testClient(server.baseUrl, { maxRetries: 0 }).upsertCustomer('user_42', john),
    );
    expect(error).toBeInstanceOf(SupportDeskConnectionError);
    expect(error).toMatchObject({ code: 'CONNECTION_ERROR', retryable: true });
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
  });

  it('times out a response whose body never ends', async () => {
    const server = await serve((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"success":true,');
    });
    const client = testClient(server.baseUrl, { timeoutMs: 100, maxRetries: 0 });
    const error = await rejectionOf(client.upsertCustomer('user_42', john));
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true });
  });

  it('does not keep the process alive with its timeout timer while a request is pending', async () => {
    const server = await serve(() => undefined);
    const timeouts = () => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
    const controller = new AbortController();
    const before = timeouts();
    const pending = rejectionOf(
      testClient(server.baseUrl).upsertCustomer('user_42', john, { signal: controller.signal }),
    );
    expect(timeouts()).toBe(before);
    await waitFor(() => server.requests.length === 1);
    controller.abort();
    await pending;
  });
});

describe('SupportDeskClient and Retry-After on other statuses', () => {
  it('waits the Retry-After of a 503 instead of its own backoff', async () => {
    const server = await serve((res, _request, index) =>
      index === 0 ? reply(res, 503, '', { 'retry-after': '2' }) : reply(res, 200, upsertSuccess('user_42')),
    );
    const { waits, sleep } = recordingSleep();
    await testClient(server.baseUrl, { sleep }).upsertCustomer('user_42', john);
    expect(waits).toEqual([2_000]);
  });

  it('rejects a 503 at once when its Retry-After is over maxRetryAfterMs', async () => {
    const server = await serve((res) => reply(res, 503, '', { 'retry-after': '120' }));
    const { waits, sleep } = recordingSleep();
    const error = await rejectionOf(testClient(server.baseUrl, { sleep }).upsertCustomer('user_42', john));
    expect(error).toMatchObject({ status: 503, retryable: true });
    expect(waits).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('ignores an unreadable Retry-After and uses its backoff', async () => {
    const server = await serve((res, _request, index) =>
      index === 0
        ? reply(res, 429, '', { 'retry-after': 'soon' })
        : reply(res, 200, upsertSuccess('user_42')),
    );
    const { waits, sleep } = recordingSleep();
    await testClient(server.baseUrl, { sleep, retryBaseDelayMs: 10, retryMaxDelayMs: 10 }).upsertCustomer(
      'user_42',
      john,
    );
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeLessThan(10);
  });
});

describe('cleanServerText with keyPattern', () => {
  const key = 'sk_live+Ab/Cd=Ef~9f2c!Z';
  const clean = (text: string) => cleanServerText(text, keyPattern(key));

  it.each([
    ['some characters percent-encoded and some not', 'sk_live%2bAb/Cd%3dEf~9f2c!Z'],
    ['percent-encoded twice', encodeURIComponent(encodeURIComponent(key))],
    ['in mixed case', 'Sk_LiVe+aB/cD=eF~9F2C!z'],
    ['in base64 at each alignment', Buffer.from(`ab${key}`).toString('base64')],
    ['in base64 with + and / percent-encoded', encodeURIComponent(Buffer.from(`x${key}`).toString('base64'))],
  ])('redacts the key %s, keeping the text around it', (_case, echoed) => {
    expect(clean(`before ${echoed} after`)).toMatch(/^before \S{0,12}\[redacted\]\S{0,4} after$/);
  });

  it('leaves text that holds only part of the key as it is', () => {
    expect(clean('key sk_live+Ab/Cd=Ef is wrong')).toBe('key sk_live+Ab/Cd=Ef is wrong');
  });

  it('finds every occurrence, then drops control characters', () => {
    expect(clean(`${key}\n${key.toUpperCase()}`)).toBe('[redacted] [redacted]');
  });

  it('does not look for the base64 of a key under 8 bytes, whose runs would match ordinary words', () => {
    const short = Buffer.from('k3y').toString('base64');
    expect(cleanServerText(`value ${short}`, keyPattern('k3y'))).toBe(`value ${short}`);
    expect(cleanServerText('the K3Y is wrong', keyPattern('k3y'))).toBe('the [redacted] is wrong');
  });
});
