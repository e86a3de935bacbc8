import { type Emulator, startEmulator } from '@supportdesk/emulator';
import express from 'express';
import request from 'supertest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { version } from '../package.json';
import {
  CustomerSync,
  SupportDeskConfigError,
  type SyncCustomersOptions,
  syncCustomers,
} from '../src/index.js';
import { API_KEY, authenticate, mapTestUser, seedUsers, type TestUser } from './apps.js';

const badOptions: [string, unknown][] = [
  ['options that are not an object', 'sk_key'],
  ['a getUser that is not a function', { apiKey: API_KEY, getUser: 'req.user' }],
  ['an awaitSync that is not a boolean', { apiKey: API_KEY, awaitSync: 'yes' }],
  ['a sync that is not a CustomerSync', { sync: { identify() {} } }],
  ['a concurrency below 1', { apiKey: API_KEY, concurrency: 0 }],
  ['a misspelt option', { apiKey: API_KEY, ttl: 1_000 }],
  [
    'an http:// baseUrl to a remote host',
    { apiKey: API_KEY, baseUrl: 'http://supportdesk.example.com/api/v1' },
  ],
];

describe('syncCustomers options', () => {
  const engines: CustomerSync<TestUser>[] = [];
  let emulator: Emulator | undefined;

  afterEach(async () => {
    vi.unstubAllEnvs();
    await Promise.all(engines.splice(0).map((engine) => engine.close()));
    await emulator?.close();
    emulator = undefined;
  });

  it.each(badOptions)('throws SupportDeskConfigError at creation for %s', (_problem, options) => {
    expect(() => syncCustomers(options as SyncCustomersOptions)).toThrow(SupportDeskConfigError);
  });

  it('starts disabled without an API key outside production, so the app and its tests run', async () => {
    vi.stubEnv('SUPPORTDESK_API_KEY', undefined);
    vi.stubEnv('NODE_ENV', 'test');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const middleware = syncCustomers();
      expect(await middleware.sync.identify({ id: 'u1' } as Express.User)).toEqual({ status: 'ignored' });
      expect(warn.mock.calls.map(([message]) => message)).toEqual([
        expect.stringMatching(/^\[supportdesk\] syncCustomers: no SupportDesk API key/),
      ]);
    } finally {
      warn.mockRestore();
    }
  });

  it('throws SupportDeskConfigError naming syncCustomers without an API key in production', () => {
    vi.stubEnv('SUPPORTDESK_API_KEY', undefined);
    vi.stubEnv('NODE_ENV', 'production');
    expect(() => syncCustomers()).toThrow(SupportDeskConfigError);
    expect(() => syncCustomers()).toThrow(/^syncCustomers: missing SupportDesk API key/);
  });

  it('refuses engine options next to a shared sync, which would silently ignore them', () => {
    const shared = new CustomerSync<TestUser>({ apiKey: API_KEY });
    engines.push(shared);
    expect(() => syncCustomers<TestUser>({ sync: shared, ttlMs: 1_000 })).toThrow(SupportDeskConfigError);
  });

  it('needs no API key when disabled', async () => {
    vi.stubEnv('SUPPORTDESK_API_KEY', undefined);
    const middleware = syncCustomers<TestUser>({ enabled: false });
    engines.push(middleware.sync);
    const app = express().use(authenticate(seedUsers()), middleware, (_req, res) => {
      res.send('ok');
    });
    await request(app).get('/').set('x-user', 'user_1').expect(200, 'ok');
    expect(middleware.sync.stats().ignored).toBe(1);
  });

  it('uses the engine passed as sync, so two apps share one dedupe', async () => {
    emulator = await startEmulator({ port: 0, apiKeys: [API_KEY] });
    const shared = new CustomerSync<TestUser>({
      apiKey: API_KEY,
      baseUrl: emulator.baseUrl,
      mapUser: mapTestUser,
    });
    engines.push(shared);
    const users = seedUsers();
    const first = syncCustomers<TestUser>({ sync: shared });
    const second = syncCustomers<TestUser>({
      sync: shared,
      getUser: (req) => req.user as TestUser | undefined,
    });
    expect([first.sync, second.sync]).toEqual([shared, shared]);
    for (const middleware of [first, second]) {
      const app = express().use(authenticate(users), middleware, (_req, res) => {
        res.send('ok');
      });
      await request(app).get('/').set('x-user', 'user_1').expect(200);
      await shared.flush();
    }
    expect(emulator.upsertCount('user_1')).toBe(1);
  });

  it('names itself in the User-Agent with the version of package.json', async () => {
    emulator = await startEmulator({ port: 0, apiKeys: [API_KEY] });
    const middleware = syncCustomers<TestUser>({
      apiKey: API_KEY,
      baseUrl: emulator.baseUrl,
      mapUser: mapTestUser,
    });
    engines.push(middleware.sync);
    const app = express().use(authenticate(seedUsers()), middleware, (_req, res) => {
      res.send('ok');
    });
    await request(app).get('/').set('x-user', 'user_1').expect(200);
    await middleware.sync.flush();
    expect(emulator.requests[0]?.headers['user-agent']).toContain(`supportdesk-express/${version}`);
  });
});
