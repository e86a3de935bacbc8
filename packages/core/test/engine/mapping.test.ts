import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustomerSync } from '../../src/engine/customer-sync.js';
import { fingerprint } from '../../src/engine/fingerprint.js';
import {
  defaultMapUser,
  externalIdKey,
  type MappedCustomer,
  toUpsertRequest,
} from '../../src/engine/mapping.js';
import type { SyncEvent } from '../../src/engine/outcome.js';
import { SupportDeskValidationError } from '../../src/errors.js';
import { MemorySyncStore } from '../../src/store/memory-store.js';
import { useEngines } from '../support/engines.js';
import {
  API_KEY,
  type FaultServer,
  reply,
  startFaultServer,
  upsertSuccess,
} from '../support/fault-server.js';

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
    ['a Nest JWT payload', { sub: 7, username: 'john' }, { externalId: '7', name: 'john' }],
    [
      'OIDC claims with only preferred_username',
      { sub: 'a|1', preferred_username: 'ada.l', nickname: 'ada' },
      { externalId: 'a|1', name: 'ada.l' },
    ],
    ['a GitHub profile', { id: 583231, login: 'octocat' }, { externalId: '583231', name: 'octocat' }],
    [
      'an Auth0 profile with only a nickname',
      { sub: 'auth0|9', nickname: 'nick' },
      { externalId: 'auth0|9', name: 'nick' },
    ],
    [
      'every handle, which go in the documented order',
      { id: 1, nickname: 'd', login: 'c', preferred_username: 'b', username: 'a' },
      { externalId: '1', name: 'a' },
    ],
    [
      'a name field and a handle, where the name field wins',
      { id: 1, firstName: 'Ada', username: 'ada42' },
      { externalId: '1', name: 'Ada' },
    ],
    ['a blank handle', { id: 1, username: ' ', login: 'octo' }, { externalId: '1', name: 'octo' }],
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
    [{ externalId: 'u1', email: 'nope' }, 'email must be a valid email address'],
    [{ externalId: 'u1', avatar: 'x' }, 'avatar'],
    [{ externalId: 'u1', metadata: [1] }, 'metadata must be a plain JSON object'],
  ])('refuses %j', (mapped, message) => {
    const request = toUpsertRequest(mapped);
    expect(request.error).toBeInstanceOf(SupportDeskValidationError);
    expect(request.error?.message).toContain(message);
  });
});

describe('a numeric externalId from mapUser', () => {
  it.each([
    [42, '42'],
    [0, '0'],
    [-7, '-7'],
    [Number.MAX_SAFE_INTEGER, '9007199254740991'],
  ])('sends the safe integer %s as its decimal string %j', (externalId, sent) => {
    expect(toUpsertRequest({ externalId, name: 'Ada' })).toEqual({
      externalId: sent,
      input: { name: 'Ada' },
    });
    expect(externalIdKey(externalId)).toBe(sent);
  });

  it.each([
    [1.5, 'got number 1.5'],
    [Number.NaN, 'got number NaN'],
    [Number.POSITIVE_INFINITY, 'got number Infinity'],
    [2 ** 53, 'got number 9007199254740992'],
    [7n, 'got bigint'],
    [true, 'got boolean'],
    [null, 'got null'],
    [undefined, 'got undefined'],
    [{ id: 1 }, 'got object'],
  ])('refuses %s as a clear invalid payload', (externalId, got) => {
    const request = toUpsertRequest({ externalId, name: 'Ada' });
    expect(request.error).toBeInstanceOf(SupportDeskValidationError);
    expect(request.error?.message).toBe(
      `mapUser returned a bad externalId: externalId must be a string or a safe integer (${got})`,
    );
    expect(externalIdKey(externalId)).toBeUndefined();
  });

  it('keeps a string externalId as it is', () => {
    expect(externalIdKey('007')).toBe('007');
  });

  it('lets the README mapUser compile for users with number ids', () => {
    type Row = { id: number; email: string; name: string };
    const mapUser = (user: Row): MappedCustomer => ({
      externalId: user.id,
      email: user.email,
      name: user.name,
    });
    const sync = new CustomerSync<Row>({ enabled: false, mapUser });
    expect(sync.client).toBeUndefined();
  });
});

describe('a numeric externalId through the engine', () => {
  const { engine } = useEngines();
  let server: FaultServer;

  beforeAll(async () => {
    server = await startFaultServer((res, request) =>
      reply(res, 200, upsertSuccess(decodeURIComponent(request.path.split('/').pop() ?? ''))),
    );
  });

  afterAll(async () => {
    await server.close();
  });

  it('is sent as its string in the path, and appears as a string in the outcome, the event and the cache', async () => {
    const events: SyncEvent[] = [];
    const store = new MemorySyncStore();
    const user = { id: 1, email: 'one@example.com', name: 'One' };
    const sync = engine<typeof user>({
      apiKey: API_KEY,
      baseUrl: server.baseUrl,
      store,
      onSync: (event) => events.push(event),
      mapUser: (row) => ({ externalId: row.id, email: row.email, name: row.name }),
    });
    const outcome = await sync.identify(user);
    expect(outcome).toMatchObject({ status: 'synced', externalId: '1' });
    expect(server.requests.at(-1)?.path).toBe('/api/v1/customers/1');
    expect(events.map((event) => event.externalId)).toEqual(['1']);
    expect(store.has('1', fingerprint({ externalId: 1, email: user.email, name: user.name }))).toBe(true);
  });
});
