import { describe, expect, it } from 'vitest';
import { john, KEY, OTHER_KEY, send, useEmulator } from './support.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe('upsert', () => {
  const emulator = useEmulator();

  it('creates a customer and answers 200 with the success envelope and wasCreated true', async () => {
    const answer = await send(emulator(), 'user_42', {
      body: { ...john, phone: '+1 555 0100', metadata: { plan: 'premium', companyName: 'Acme' } },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      success: true,
      data: {
        customer: {
          id: expect.stringMatching(/^cl[0-9a-f]{24}$/),
          externalId: 'user_42',
          email: 'john@acme.com',
          name: 'John Doe',
          phone: '+1 555 0100',
          metadata: { plan: 'premium', companyName: 'Acme' },
          createdAt: expect.stringMatching(ISO),
          updatedAt: expect.stringMatching(ISO),
        },
        wasCreated: true,
      },
      timestamp: expect.stringMatching(ISO),
    });
  });

  it('answers wasCreated false and keeps id and createdAt when the externalId exists', async () => {
    const first = await send(emulator(), 'user_42', { body: john });
    const second = await send(emulator(), 'user_42', { body: { ...john, name: 'Johnny' } });
    expect(second.status).toBe(200);
    expect(second.body.data.wasCreated).toBe(false);
    expect(second.body.data.customer).toMatchObject({
      id: first.body.data.customer.id,
      createdAt: first.body.data.customer.createdAt,
      name: 'Johnny',
    });
  });

  it('changes only the fields a partial update sends', async () => {
    await send(emulator(), 'user_42', {
      body: { ...john, phone: '+1 555 0100', metadata: { plan: 'free' } },
    });
    const answer = await send(emulator(), 'user_42', { body: { phone: '+1 555 0199' } });
    expect(answer.body.data.customer).toMatchObject({
      email: 'john@acme.com',
      name: 'John Doe',
      phone: '+1 555 0199',
      metadata: { plan: 'free' },
    });
  });

  it('replaces metadata as a whole on update', async () => {
    await send(emulator(), 'user_42', { body: { ...john, metadata: { plan: 'free', seats: 3 } } });
    await send(emulator(), 'user_42', { body: { metadata: { plan: 'premium' } } });
    expect(emulator().customers(KEY)[0]?.metadata).toEqual({ plan: 'premium' });
  });

  it('accepts an empty update of an existing customer and changes nothing', async () => {
    await send(emulator(), 'user_42', { body: john });
    const answer = await send(emulator(), 'user_42', { body: {} });
    expect(answer.status).toBe(200);
    expect(answer.body.data.customer).toMatchObject(john);
  });

  it.each([
    [{ name: 'John Doe' }, 'email'],
    [{ email: 'john@acme.com' }, 'name'],
    [{ phone: '+1 555 0100' }, 'email and name'],
  ])('answers 400 VALIDATION_ERROR naming what is missing on create (%j)', async (body, missing) => {
    const answer = await send(emulator(), 'user_new', { body });
    expect(answer.status).toBe(400);
    expect(answer.body.success).toBe(false);
    expect(answer.body.error.code).toBe('VALIDATION_ERROR');
    expect(answer.body.error.message).toContain(missing);
    expect(emulator().customers(KEY)).toEqual([]);
  });

  it.each([
    ['email', { email: 'not-an-email' }],
    ['email', { email: 42 }],
    ['name', { name: '' }],
    ['name', { name: ['John'] }],
    ['phone', { phone: 5550100 }],
    ['avatarUrl', { avatarUrl: 'not a url' }],
    ['avatarUrl', { avatarUrl: 'javascript:alert(1)' }],
    ['metadata', { metadata: 'premium' }],
    ['metadata', { metadata: ['premium'] }],
    ['metadata', { metadata: null }],
    ['avatar', { avatar: 'https://example.com/a.png' }],
  ])('answers 400 VALIDATION_ERROR naming the field %s when it is wrong', async (field, fields) => {
    const answer = await send(emulator(), 'user_42', { body: { ...john, ...fields } });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toEqual({ code: 'VALIDATION_ERROR', message: expect.stringContaining(field) });
  });

  it('keeps an avatarUrl that is an http(s) URL', async () => {
    const answer = await send(emulator(), 'user_42', {
      body: { ...john, avatarUrl: 'https://cdn.acme.com/j.png' },
    });
    expect(answer.body.data.customer.avatarUrl).toBe('https://cdn.acme.com/j.png');
  });

  it('answers 409 CUSTOMER_EMAIL_EXISTS when another customer of the key has the email on create', async () => {
    await send(emulator(), 'user_1', { body: john });
    const answer = await send(emulator(), 'user_2', { body: { ...john, name: 'Other John' } });
    expect(answer.status).toBe(409);
    expect(answer.body.error.code).toBe('CUSTOMER_EMAIL_EXISTS');
    expect(emulator().customers(KEY)).toHaveLength(1);
  });

  it('answers 409 when an update takes the email of another customer', async () => {
    await send(emulator(), 'user_1', { body: john });
    await send(emulator(), 'user_2', { body: { email: 'jane@acme.com', name: 'Jane' } });
    const answer = await send(emulator(), 'user_2', { body: { email: 'john@acme.com' } });
    expect(answer.status).toBe(409);
    expect(
      emulator()
        .customers(KEY)
        .map((c) => c.email),
    ).toEqual(['john@acme.com', 'jane@acme.com']);
  });

  it('compares emails case-insensitively', async () => {
    await send(emulator(), 'user_1', { body: john });
    const answer = await send(emulator(), 'user_2', { body: { email: 'John@ACME.com', name: 'John' } });
    expect(answer.status).toBe(409);
  });

  it('lets a customer keep its own email, in any case', async () => {
    await send(emulator(), 'user_1', { body: john });
    const answer = await send(emulator(), 'user_1', { body: { email: 'JOHN@acme.com' } });
    expect(answer.status).toBe(200);
    expect(answer.body.data.customer.email).toBe('JOHN@acme.com');
  });

  it('frees an email once its customer changes to another one', async () => {
    await send(emulator(), 'user_1', { body: john });
    await send(emulator(), 'user_1', { body: { email: 'john.doe@acme.com' } });
    const answer = await send(emulator(), 'user_2', { body: john });
    expect(answer.status).toBe(200);
  });

  it('keeps customers of two API keys apart, emails included', async () => {
    await send(emulator(), 'user_42', { body: john });
    const answer = await send(emulator(), 'user_42', {
      apiKey: OTHER_KEY,
      body: { ...john, name: 'Other app' },
    });
    expect(answer.body.data.wasCreated).toBe(true);
    expect(
      emulator()
        .customers(KEY)
        .map((c) => c.name),
    ).toEqual(['John Doe']);
    expect(
      emulator()
        .customers(OTHER_KEY)
        .map((c) => c.name),
    ).toEqual(['Other app']);
  });

  it('stores metadata keys such as __proto__ and constructor as data', async () => {
    const body = `{"email":"john@acme.com","name":"John","metadata":{"__proto__":{"admin":true},"constructor":"x"}}`;
    const answer = await send(emulator(), 'user_42', { body });
    expect(answer.status).toBe(200);
    const [customer] = emulator().customers(KEY);
    expect(Object.keys(customer?.metadata ?? {})).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(customer?.metadata)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('refuses __proto__ as a top-level field instead of applying it', async () => {
    const answer = await send(emulator(), 'user_42', {
      body: '{"email":"john@acme.com","name":"J","__proto__":{}}',
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toContain('__proto__');
  });

  it.each(['a/b', 'what?', '#1', '100%', 'with space', 'ünïcödé', '.x'])(
    'takes the percent-decoded segment %j as the externalId',
    async (externalId) => {
      const answer = await send(emulator(), externalId, { body: john });
      expect(answer.status).toBe(200);
      expect(answer.body.data.customer.externalId).toBe(externalId);
    },
  );

  it('answers 400 for an externalId over 255 characters', async () => {
    const answer = await send(emulator(), 'x'.repeat(256), { body: john });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toContain('externalId');
  });

  it('returns copies from customers(), so changing them changes nothing stored', async () => {
    await send(emulator(), 'user_42', { body: { ...john, metadata: { plan: 'free' } } });
    const [copy] = emulator().customers(KEY);
    if (copy?.metadata) copy.metadata.plan = 'hacked';
    expect(emulator().customers(KEY)[0]?.metadata).toEqual({ plan: 'free' });
  });
});
