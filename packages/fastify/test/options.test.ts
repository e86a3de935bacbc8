import { CustomerSync, SupportDeskConfigError } from '@supportdesk/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type SupportDeskOptions, supportDesk } from '../src/index.js';
import { API_KEY, authenticate, frameworks, seedUsers } from './support/apps.js';

const badOptions: [string, unknown][] = [
  ['options that are not an object', 'sk_key'],
  ['a getUser that is not a function', { apiKey: API_KEY, getUser: 'request.user' }],
  ['an awaitSync that is not a boolean', { apiKey: API_KEY, awaitSync: 'yes' }],
  ['a sync that is not a CustomerSync', { sync: { identify() {} } }],
  ['a concurrency below 1', { apiKey: API_KEY, concurrency: 0 }],
  ['a misspelt option', { apiKey: API_KEY, ttl: 1_000 }],
  [
    'an http:// baseUrl to a remote host',
    { apiKey: API_KEY, baseUrl: 'http://supportdesk.example.com/api/v1' },
  ],
];

describe.each(frameworks)('supportDesk options on $name', ({ fastify }) => {
  const engines: CustomerSync[] = [];

  afterEach(async () => {
    vi.unstubAllEnvs();
    await Promise.all(engines.splice(0).map((engine) => engine.close()));
  });

  it.each(badOptions)('rejects register with SupportDeskConfigError for %s', async (_problem, options) => {
    const app = fastify();
    await expect(app.register(supportDesk, options as SupportDeskOptions)).rejects.toThrow(
      SupportDeskConfigError,
    );
  });

  it('rejects ready() with SupportDeskConfigError when register was not awaited', async () => {
    const app = fastify();
    void app.register(supportDesk, { apiKey: API_KEY, concurrency: 0 });
    await expect(app.ready()).rejects.toThrow(SupportDeskConfigError);
  });

  it('rejects register when no API key is given or set in the environment', async () => {
    vi.stubEnv('SUPPORTDESK_API_KEY', undefined);
    vi.stubEnv('NODE_ENV', 'production');
    await expect(fastify().register(supportDesk)).rejects.toThrow(SupportDeskConfigError);
    await expect(fastify().register(supportDesk)).rejects.toThrow(
      /^supportDesk \(@supportdesk\/fastify\): missing SupportDesk API key/,
    );
  });

  it('refuses engine options next to a shared sync, which would silently ignore them', async () => {
    const shared = new CustomerSync({ apiKey: API_KEY });
    engines.push(shared);
    await expect(fastify().register(supportDesk, { sync: shared, ttlMs: 1_000 })).rejects.toThrow(
      SupportDeskConfigError,
    );
  });

  it('needs no API key when disabled, and lets every request through', async () => {
    vi.stubEnv('SUPPORTDESK_API_KEY', undefined);
    const app = fastify();
    app.addHook('onRequest', authenticate(seedUsers()));
    await app.register(supportDesk, { enabled: false });
    app.get('/', async () => 'ok');
    try {
      const response = await app.inject({ url: '/', headers: { 'x-user': 'user_1' } });
      expect(response.body).toBe('ok');
      expect(app.supportdesk.stats().ignored).toBe(1);
    } finally {
      await app.close();
    }
  });
});
