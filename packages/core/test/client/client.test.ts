import { getEventListeners } from 'node:events';
import { startEmulator } from '@supportdesk/emulator';
import { describe, expect, it } from 'vitest';
import { version } from '../../package.json';
import { abortableSleep } from '../../src/client/retry.js';
import {
  CustomerEmailExistsError,
  SupportDeskApiError,
  SupportDeskAuthError,
  SupportDeskConnectionError,
  SupportDeskRateLimitError,
  SupportDeskValidationError,
} from '../../src/errors.js';
import {
  API_KEY,
  recordingSleep,
  rejectionOf,
  testClient,
  useEmulator,
  waitFor,
} from '../support/fault-server.js';

const john = {
  email: 'john@acme.com',
  name: 'John Doe',
  phone: '+1 555 0100',
  metadata: { plan: 'premium' },
};

const emulator = await useEmulator();

describe('SupportDeskClient against the emulator: success', () => {
  it('creates a customer and says it was created', async () => {
    const { customer, wasCreated } = await testClient(emulator.baseUrl).upsertCustomer('user_42', john);
    expect(wasCreated).toBe(true);
    expect(customer).toMatchObject({ externalId: 'user_42', email: 'john@acme.com', name: 'John Doe' });
    expect(emulator.customers(API_KEY)).toHaveLength(1);
  });

  it('updates only the fields sent and says it was not created', async () => {
    const client = testClient(emulator.baseUrl);
    await client.upsertCustomer('user_42', john);
    const { customer, wasCreated } = await client.upsertCustomer('user_42', { phone: '+1 555 0199' });
    expect(wasCreated).toBe(false);
    expect(customer).toMatchObject({ name: 'John Doe', phone: '+1 555 0199' });
  });

  it('sends PATCH to /customers/{externalId} with the key, JSON headers and a User-Agent', async () => {
    await testClient(emulator.baseUrl).upsertCustomer('user_42', john);
    const [request] = emulator.requests;
    expect(request?.method).toBe('PATCH');
    expect(request?.path).toBe('/api/v1/customers/user_42');
    expect(request?.headers).toMatchObject({
      'x-api-key': API_KEY,
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': `supportdesk-node/${version} (@supportdesk/core; node/${process.version})`,
    });
  });

  it('appends the userAgent option to the User-Agent', async () => {
    await testClient(emulator.baseUrl, { userAgent: 'supportdesk-express/0.1.0' }).upsertCustomer(
      'user_42',
      john,
    );
    expect(emulator.requests[0]?.headers['user-agent']).toMatch(/\) supportdesk-express\/0\.1\.0$/);
  });

  it('sends the input as its JSON body', async () => {
    await testClient(emulator.baseUrl).upsertCustomer('user_42', john);
    expect(emulator.requests[0]?.body).toEqual(john);
  });

  it('succeeds when the answer is slow but within timeoutMs', async () => {
    emulator.inject({ latencyMs: 50 });
    const result = await testClient(emulator.baseUrl, { timeoutMs: 10_000 }).upsertCustomer('user_42', john);
    expect(result.wasCreated).toBe(true);
  });
});

describe('SupportDeskClient against the emulator: errors that are never retried', () => {
  it('rejects a create without name with SupportDeskValidationError carrying the server message', async () => {
    const error = await rejectionOf(
      testClient(emulator.baseUrl).upsertCustomer('user_42', { email: 'a@b.co' }),
    );
    expect(error).toBeInstanceOf(SupportDeskValidationError);
    expect(error).toMatchObject({
      status: 400,
      code: 'VALIDATION_ERROR',
      retryable: false,
      externalId: 'user_42',
    });
    expect((error as Error).message).toMatch(/name/);
    expect(emulator.requestCount).toBe(1);
  });

  it.each([
    ['name', { email: 'a@b.co' }, 'and this input has no name', ['name']],
    ['email', { name: 'Ada' }, 'and this input has no email', ['email']],
    [
      'email and name',
      { phone: '+1 555 0100' },
      'and this input has no email and no name',
      ['email', 'name'],
    ],
  ])(
    'says a 400 for an input without %s that creating a customer needs both',
    async (_case, input, says, paths) => {
      const error = (await rejectionOf(
        testClient(emulator.baseUrl).upsertCustomer('user_42', input),
      )) as SupportDeskValidationError;
      expect(error).toBeInstanceOf(SupportDeskValidationError);
      expect(error.message).toContain(`; creating a customer needs both email and name, ${says}`);
      expect(error.issues).toEqual(paths.map((path) => ({ path, message: 'required to create a customer' })));
    },
  );

  it('keeps the message of a 400 for an input that has email and name as it was', async () => {
    emulator.inject({
      status: 400,
      body: { success: false, error: { code: 'VALIDATION_ERROR', message: 'phone is invalid' } },
    });
    const error = (await rejectionOf(
      testClient(emulator.baseUrl).upsertCustomer('user_42', john),
    )) as SupportDeskValidationError;
    expect(error.message).toBe('SupportDesk refused the input (400): phone is invalid');
    expect(error.issues).toEqual([]);
  });

  it('rejects a taken email with CustomerEmailExistsError', async () => {
    const client = testClient(emulator.baseUrl);
    await client.upsertCustomer('user_1', john);
    const error = await rejectionOf(client.upsertCustomer('user_2', { ...john, email: 'JOHN@acme.com' }));
    expect(error).toBeInstanceOf(CustomerEmailExistsError);
    expect(error).toMatchObject({
      status: 409,
      code: 'CUSTOMER_EMAIL_EXISTS',
      retryable: false,
      externalId: 'user_2',
    });
    expect(emulator.requestCount).toBe(2);
  });

  it.each([
    [401, 'UNAUTHORIZED'],
    [403, 'FORBIDDEN'],
  ])('rejects %i with SupportDeskAuthError (%s) after one request', async (status, code) => {
    emulator.inject({ status });
    const error = await rejectionOf(testClient(emulator.baseUrl).upsertCustomer('user_42', john));
    expect(error).toBeInstanceOf(SupportDeskAuthError);
    expect(error).toMatchObject({ status, code, retryable: false });
    expect(emulator.requestCount).toBe(1);
  });

  it('rejects a key the server does not know with SupportDeskAuthError', async () => {
    const strict = await startEmulator({ port: 0, apiKeys: ['another-key'] });
    try {
      const error = await rejectionOf(testClient(strict.baseUrl).upsertCustomer('user_42', john));
      expect(error).toBeInstanceOf(SupportDeskAuthError);
      expect(strict.requestCount).toBe(1);
    } finally {
      await strict.close();
    }
  });

  it.each([404, 410, 422])(
    'rejects %i with a non-retryable SupportDeskApiError after one request',
    async (status) => {
      emulator.inject({ status });
      const error = await rejectionOf(testClient(emulator.baseUrl).upsertCustomer('user_42', john));
      expect(error).toBeInstanceOf(SupportDeskApiError);
      expect(error).toMatchObject({ status, retryable: false });
      expect(emulator.requestCount).toBe(1);
    },
  );
});

describe('SupportDeskClient against the emulator: retries', () => {
  it.each([408, 500, 502, 503, 504])('retries after %i and returns the later success', async (status) => {
    emulator.inject({ status, times: 1 });
    const result = await testClient(emulator.baseUrl).upsertCustomer('user_42', john);
    expect(result.wasCreated).toBe(true);
    expect(emulator.requestCount).toBe(2);
  });

  it('gives up after maxRetries retries with a retryable SupportDeskApiError', async () => {
    emulator.inject({ status: 500 });
    const error = await rejectionOf(
      testClient(emulator.baseUrl, { maxRetries: 3 }).upsertCustomer('user_42', john),
    );
    expect(error).toBeInstanceOf(SupportDeskApiError);
    expect(error).toMatchObject({ status: 500, retryable: true, externalId: 'user_42' });
    expect(emulator.requestCount).toBe(4);
  });

  it('makes a single attempt when maxRetries is 0', async () => {
    emulator.inject({ status: 503 });
    await rejectionOf(testClient(emulator.baseUrl, { maxRetries: 0 }).upsertCustomer('user_42', john));
    expect(emulator.requestCount).toBe(1);
  });

  it('waits a full-jitter backoff between attempts when there is no Retry-After', async () => {
    emulator.inject({ status: 500, times: 2 });
    const { waits, sleep } = recordingSleep();
    const client = testClient(emulator.baseUrl, { sleep, retryBaseDelayMs: 100, retryMaxDelayMs: 150 });
    await client.upsertCustomer('user_42', john);
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeLessThan(100);
    expect(waits[1]).toBeLessThan(150);
  });

  it('retries a dropped connection and returns the later success', async () => {
    emulator.inject({ drop: true, times: 1 });
    const result = await testClient(emulator.baseUrl).upsertCustomer('user_42', john);
    expect(result.wasCreated).toBe(true);
    expect(emulator.requestCount).toBe(2);
  });

  it('rejects with a retryable SupportDeskConnectionError when every connection drops', async () => {
    emulator.inject({ drop: true });
    const error = await rejectionOf(
      testClient(emulator.baseUrl, { maxRetries: 1 }).upsertCustomer('user_42', john),
    );
    expect(error).toBeInstanceOf(SupportDeskConnectionError);
    expect(error).toMatchObject({ code: 'CONNECTION_ERROR', retryable: true, externalId: 'user_42' });
    expect(emulator.requestCount).toBe(2);
  });

  it('turns an answer slower than timeoutMs into a retryable TIMEOUT', async () => {
    emulator.inject({ latencyMs: 5_000 });
    const client = testClient(emulator.baseUrl, { timeoutMs: 50, maxRetries: 1 });
    const error = await rejectionOf(client.upsertCustomer('user_42', john));
    expect(error).toBeInstanceOf(SupportDeskConnectionError);
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect(emulator.requestCount).toBe(2);
  });

  it('retries after a timeout and returns the later success', async () => {
    emulator.inject({ latencyMs: 5_000, times: 1 });
    const result = await testClient(emulator.baseUrl, { timeoutMs: 1_000 }).upsertCustomer('user_42', john);
    expect(result.wasCreated).toBe(true);
  });
});

describe('SupportDeskClient against the emulator: 429 and Retry-After', () => {
  it('waits Retry-After: 0 and retries', async () => {
    emulator.inject({ status: 429, retryAfter: 0, times: 1 });
    const { waits, sleep } = recordingSleep();
    await testClient(emulator.baseUrl, { sleep }).upsertCustomer('user_42', john);
    expect(waits).toEqual([0]);
    expect(emulator.requestCount).toBe(2);
  });

  it('treats a Retry-After date in the past as no wait', async () => {
    emulator.inject({ status: 429, retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT', times: 1 });
    const { waits, sleep } = recordingSleep();
    await testClient(emulator.baseUrl, { sleep }).upsertCustomer('user_42', john);
    expect(waits).toEqual([0]);
  });

  it('waits until a Retry-After date in the future, read with the injected clock', async () => {
    emulator.inject({ status: 429, retryAfter: 'Sat, 18 Apr 2026 10:00:30 GMT', times: 1 });
    const { waits, sleep } = recordingSleep();
    const now = () => Date.parse('2026-04-18T10:00:00Z');
    await testClient(emulator.baseUrl, { sleep, now }).upsertCustomer('user_42', john);
    expect(waits).toEqual([30_000]);
  });

  it('uses Retry-After in place of the backoff', async () => {
    emulator.inject({ status: 429, retryAfter: 7, times: 1 });
    const { waits, sleep } = recordingSleep();
    await testClient(emulator.baseUrl, { sleep, retryMaxDelayMs: 10 }).upsertCustomer('user_42', john);
    expect(waits).toEqual([7_000]);
  });

  it('rejects at once with retryAfterMs when Retry-After is over maxRetryAfterMs', async () => {
    emulator.inject({ status: 429, retryAfter: 120 });
    const { waits, sleep } = recordingSleep();
    const error = await rejectionOf(testClient(emulator.baseUrl, { sleep }).upsertCustomer('user_42', john));
    expect(error).toBeInstanceOf(SupportDeskRateLimitError);
    expect(error).toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
      retryable: true,
      retryAfterMs: 120_000,
    });
    expect(waits).toEqual([]);
    expect(emulator.requestCount).toBe(1);
  });

  it('rejects with SupportDeskRateLimitError and the last retryAfterMs once retries run out', async () => {
    emulator.inject({ status: 429, retryAfter: 1 });
    const { sleep } = recordingSleep();
    const error = await rejectionOf(testClient(emulator.baseUrl, { sleep }).upsertCustomer('user_42', john));
    expect(error).toBeInstanceOf(SupportDeskRateLimitError);
    expect(error).toMatchObject({ retryAfterMs: 1_000 });
    expect(emulator.requestCount).toBe(3);
  });
});

describe("SupportDeskClient against the emulator: rateLimit: 'reject'", () => {
  it('rejects a 429 at once with its retryAfterMs instead of waiting it out', async () => {
    emulator.inject({ status: 429, retryAfter: 1, times: 1 });
    const { waits, sleep } = recordingSleep();
    const client = testClient(emulator.baseUrl, { sleep });
    const error = await rejectionOf(client.upsertCustomer('user_42', john, { rateLimit: 'reject' }));
    expect(error).toBeInstanceOf(SupportDeskRateLimitError);
    expect(error).toMatchObject({ retryAfterMs: 1_000, retryable: true });
    expect(waits).toEqual([]);
    expect(emulator.requestCount).toBe(1);
  });

  it('still retries what is not a 429', async () => {
    emulator.inject({ status: 503, times: 1 });
    const { sleep } = recordingSleep();
    const client = testClient(emulator.baseUrl, { sleep });
    await client.upsertCustomer('user_42', john, { rateLimit: 'reject' });
    expect(emulator.requestCount).toBe(2);
  });
});

describe('SupportDeskClient against the emulator: caller abort', () => {
  it('rejects with ABORTED and sends nothing when the signal was already aborted', async () => {
    const client = testClient(emulator.baseUrl);
    const error = await rejectionOf(client.upsertCustomer('user_42', john, { signal: AbortSignal.abort() }));
    expect(error).toBeInstanceOf(SupportDeskConnectionError);
    expect(error).toMatchObject({ code: 'ABORTED', retryable: false, externalId: 'user_42' });
    expect(emulator.requestCount).toBe(0);
  });

  it('rejects with ABORTED at once when the signal aborts during a request, and tries no more', async () => {
    emulator.inject({ latencyMs: 10_000 });
    const controller = new AbortController();
    const pending = rejectionOf(
      testClient(emulator.baseUrl).upsertCustomer('user_42', john, { signal: controller.signal }),
    );
    await waitFor(() => emulator.requestCount === 1);
    controller.abort();
    const error = await pending;
    expect(error).toMatchObject({ code: 'ABORTED', retryable: false });
    expect(emulator.requestCount).toBe(1);
  });

  it('leaves no listener on the caller’s signal once the call is over', async () => {
    emulator.inject({ status: 500, times: 1 });
    const controller = new AbortController();
    await testClient(emulator.baseUrl).upsertCustomer('user_42', john, { signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects with ABORTED when the signal aborts during the wait before a retry', async () => {
    emulator.inject({ status: 429, retryAfter: 30 });
    const controller = new AbortController();
    const waits: number[] = [];
    const sleep = (ms: number, signal: AbortSignal | undefined) => {
      waits.push(ms);
      const sleeping = abortableSleep(ms, signal);
      controller.abort();
      return sleeping;
    };
    const client = testClient(emulator.baseUrl, { sleep });
    const error = await rejectionOf(client.upsertCustomer('user_42', john, { signal: controller.signal }));
    expect(error).toMatchObject({ code: 'ABORTED', retryable: false });
    expect(waits).toEqual([30_000]);
    expect(emulator.requestCount).toBe(1);
  });
});
