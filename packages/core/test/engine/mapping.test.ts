import { describe, expect, it } from 'vitest';
import { defaultMapUser, toUpsertRequest } from '../../src/engine/mapping.js';
import { SupportDeskValidationError } from '../../src/errors.js';

const objectId = { toHexString: () => '65f0c0ffee', toString: () => '65f0c0ffee' };

describe('defaultMapUser', () => {
  it.each([
    [
      'an ORM row',
      { id: 42, firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', phone: '+1 555' },
      { externalId: '42', name: 'Ada Lovelace', email: 'ada@example.com', phone: '+1 555' },
    ],
    ['a Mongo document', { _id: objectId, name: 'Ada' }, { externalId: '65f0c0ffee', name: 'Ada' }],
    [
      'OIDC claims',
      {
        sub: 'auth0|7',
        given_name: 'Ada',
        family_name: 'King',
        email: 'a@example.com',
        picture: 'https://img.example/a.png',
        phone_number: '+44 1',
      },
      {
        externalId: 'auth0|7',
        name: 'Ada King',
        email: 'a@example.com',
        avatarUrl: 'https://img.example/a.png',
        phone: '+44 1',
      },
    ],
    [
      'a passport profile',
      {
        id: 'gh-1',
        displayName: 'ada',
        emails: [{ value: 'ada@example.com' }],
        photos: [{ value: 'https://img.example/p.png' }],
      },
      { externalId: 'gh-1', name: 'ada', email: 'ada@example.com', avatarUrl: 'https://img.example/p.png' },
    ],
    [
      'a passport profile with a structured name',
      { id: 'g', name: { givenName: 'Ada', familyName: 'L' } },
      { externalId: 'g', name: 'Ada L' },
    ],
    [
      'a bigint id and an image',
      { id: 9007199254740993n, image: 'https://img.example/i.png', phoneNumber: '+1 2' },
      { externalId: '9007199254740993', avatarUrl: 'https://img.example/i.png', phone: '+1 2' },
    ],
    ['blank fields', { id: 'x', name: '  ', email: '' }, { externalId: 'x' }],
  ])('maps %s', (_, user, mapped) => {
    expect(defaultMapUser(user)).toEqual(mapped);
  });

  it.each([null, undefined, 'u1', 42, {}, { id: '' }, { id: Number.NaN }, { name: 'no id' }])(
    'returns null for %j',
    (user) => {
      expect(defaultMapUser(user)).toBeNull();
    },
  );
});

describe('toUpsertRequest', () => {
  it('splits off the externalId and keeps the caller objects', () => {
    const metadata = { plan: 'pro' };
    const request = toUpsertRequest({ externalId: 'u1', name: 'Ada', metadata });
    expect(request).toEqual({ externalId: 'u1', input: { name: 'Ada', metadata } });
    expect(request.input?.metadata).toBe(metadata);
  });

  it.each([
    [{ externalId: '' }, 'externalId must not be empty'],
    [{ externalId: '..' }, 'externalId must not be ".."'],
    [{ externalId: 7 }, 'externalId must be a string'],
    [{ externalId: 'u1', email: 'nope' }, 'email must be a valid email address'],
    [{ externalId: 'u1', avatar: 'x' }, 'avatar'],
    [{ externalId: 'u1', metadata: [1] }, 'metadata must be a plain JSON object'],
  ])('refuses %j', (mapped, message) => {
    const request = toUpsertRequest(mapped);
    expect(request.error).toBeInstanceOf(SupportDeskValidationError);
    expect(request.error?.message).toContain(message);
  });
});
