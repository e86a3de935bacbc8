import { describe, expect, it } from 'vitest';
import { SupportDeskValidationError } from '../../src/errors.js';
import type { CustomerInput } from '../../src/schema.js';
import { countingFetch, rejectionOf, testClient, useEmulator } from '../support/fault-server.js';

const john = { email: 'john@acme.com', name: 'John Doe' };

const emulator = await useEmulator();

/** Runs one upsert that must be refused locally: checks the error and that fetch was never called. */
async function refusedLocally(externalId: unknown, input: unknown, maxPayloadBytes?: number) {
  const counter = countingFetch();
  const client = testClient(emulator.baseUrl, { fetch: counter.fetch, maxPayloadBytes });
  const error = await rejectionOf(client.upsertCustomer(externalId as string, input as CustomerInput));
  expect(error).toBeInstanceOf(SupportDeskValidationError);
  expect(error).toMatchObject({ code: 'VALIDATION_ERROR', retryable: false, status: undefined });
  expect(counter.calls()).toBe(0);
  expect(emulator.requestCount).toBe(0);
  return error as SupportDeskValidationError;
}

function circular(): Record<string, unknown> {
  const metadata: Record<string, unknown> = { plan: 'pro' };
  metadata.self = metadata;
  return metadata;
}

describe('upsertCustomer: externalId', () => {
  it.each([
    ['empty', ''],
    ['256 characters long', 'x'.repeat(256)],
    ['"."', '.'],
    ['".."', '..'],
    ['a lone surrogate', 'user_\ud800'],
    ['not a string', 42],
    ['undefined', undefined],
  ])('refuses an id that is %s and sends nothing', async (_case, externalId) => {
    const error = await refusedLocally(externalId, john);
    expect(error.issues[0]?.path).toBe('externalId');
  });

  it.each([
    ['a slash', 'a/b'],
    ['a question mark', '?'],
    ['a hash', '#'],
    ['a percent sign', '%'],
    ['an encoded-looking percent', '%2e%2E'],
    ['a space', 'john doe'],
    ['unicode', 'ünïcødé-用户-🎉'],
    ['a dot segment inside', '../x'],
    ['dots that are not a whole segment', '...'],
    ['255 characters', 'y'.repeat(255)],
  ])('sends an id with %s as that one path segment', async (_case, externalId) => {
    const { customer } = await testClient(emulator.baseUrl).upsertCustomer(externalId, john);
    const [request] = emulator.requests;
    expect(request?.path).toBe(`/api/v1/customers/${encodeURIComponent(externalId)}`);
    expect(request?.externalId).toBe(externalId);
    expect(customer.externalId).toBe(externalId);
  });
});

describe('upsertCustomer: input', () => {
  it.each([
    ['an invalid email', { ...john, email: 'not-an-email' }, 'email'],
    ['an empty name', { ...john, name: '' }, 'name'],
    ['a blank name', { ...john, name: '   ' }, 'name'],
    ['a name that is not a string', { ...john, name: 42 }, 'name'],
    ['an avatarUrl that is not a URL', { ...john, avatarUrl: 'avatar.png' }, 'avatarUrl'],
    ['an avatarUrl that is not http(s)', { ...john, avatarUrl: 'javascript:alert(1)' }, 'avatarUrl'],
    ['metadata that is a string', { ...john, metadata: 'premium' }, 'metadata'],
    ['metadata that is an array', { ...john, metadata: ['premium'] }, 'metadata'],
    ['metadata that is null', { ...john, metadata: null }, 'metadata'],
    ['metadata holding a function', { ...john, metadata: { plan: () => 'pro' } }, 'metadata'],
    ['metadata holding a BigInt', { ...john, metadata: { seats: 10n } }, 'metadata'],
    ['metadata holding NaN', { ...john, metadata: { seats: Number.NaN } }, 'metadata'],
    ['circular metadata', { ...john, metadata: circular() }, 'metadata'],
    ['metadata holding a Date', { ...john, metadata: { since: new Date() } }, 'metadata'],
    ['metadata that is a Map', { ...john, metadata: new Map([['plan', 'pro']]) }, 'metadata'],
    ['an unknown key', { ...john, avatar: 'https://x.test/a.png' }, ''],
  ])('refuses %s and sends nothing', async (_case, input, path) => {
    const error = await refusedLocally('user_42', input);
    expect(error.issues.length).toBeGreaterThan(0);
    expect(error.issues[0]?.path).toBe(path);
    expect(error.externalId).toBe('user_42');
  });

  it.each([
    ['null', null],
    ['a string', 'john@acme.com'],
    ['an array', [john]],
  ])('refuses an input that is %s and sends nothing', async (_case, input) => {
    await refusedLocally('user_42', input);
  });

  it('refuses a payload over maxPayloadBytes, counted in UTF-8 bytes, and sends nothing', async () => {
    // 'é' is one character but two bytes: a character count would let this through.
    const input = { ...john, metadata: { note: 'é'.repeat(60) } };
    const bytes = Buffer.byteLength(JSON.stringify(input));
    const error = await refusedLocally('user_42', input, bytes - 1);
    expect(error.message).toContain('maxPayloadBytes');
  });

  it('sends a payload of exactly maxPayloadBytes', async () => {
    const input = { ...john, metadata: { note: 'é'.repeat(60) } };
    const client = testClient(emulator.baseUrl, {
      maxPayloadBytes: Buffer.byteLength(JSON.stringify(input)),
    });
    await expect(client.upsertCustomer('user_42', input)).resolves.toMatchObject({ wasCreated: true });
  });

  it('refuses a payload over the default 32 KB limit', async () => {
    await refusedLocally('user_42', { ...john, metadata: { blob: 'x'.repeat(32 * 1024) } });
  });

  it('sends __proto__ and constructor metadata keys as data and returns them as data', async () => {
    const metadata = JSON.parse(
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
    );
    const { customer } = await testClient(emulator.baseUrl).upsertCustomer('user_42', { ...john, metadata });
    const sent = emulator.requests[0]?.body as { metadata: object };
    expect(Object.keys(sent.metadata)).toEqual(['__proto__', 'constructor']);
    expect(Object.keys(customer.metadata ?? {})).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(customer.metadata)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('sends the caller’s own values, not a trimmed copy', async () => {
    await testClient(emulator.baseUrl).upsertCustomer('user_42', { ...john, name: '  John Doe ' });
    expect(emulator.requests[0]?.body).toMatchObject({ name: '  John Doe ' });
  });

  it('refuses a signal option that is not an AbortSignal and sends nothing', async () => {
    const counter = countingFetch();
    const client = testClient(emulator.baseUrl, { fetch: counter.fetch });
    const error = await rejectionOf(
      client.upsertCustomer('user_42', john, { signal: 'stop' as unknown as AbortSignal }),
    );
    expect(error).toBeInstanceOf(SupportDeskValidationError);
    expect(counter.calls()).toBe(0);
  });
});
