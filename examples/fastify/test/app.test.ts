import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Emulator, startEmulator } from '@supportdesk/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { DEMO_ACCOUNTS } from '../src/users.js';

const API_KEY = 'sk_example_test';
const [ada] = DEMO_ACCOUNTS;

describe('the Fastify example app', () => {
  let emulator: Emulator;
  let app: Awaited<ReturnType<typeof createApp>>;

  beforeEach(async () => {
    emulator = await startEmulator({ port: 0, apiKeys: [API_KEY] });
    app = await createApp({ apiKey: API_KEY, baseUrl: emulator.baseUrl });
  });

  afterEach(async () => {
    await app.close();
    await emulator.close();
  });

  const logIn = async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/login',
      payload: { email: ada?.email, password: ada?.password },
    });
    expect(response.statusCode).toBe(200);
    return { authorization: `Bearer ${response.json().token}` };
  };

  it('syncs the user who logs in and opens /me', async () => {
    const headers = await logIn();
    const me = await app.inject({ url: '/me', headers });
    expect(me.json()).toEqual({
      user: { id: 'user_1', email: 'ada@example.com', name: 'Ada Lovelace', plan: 'pro' },
    });
    await app.supportdesk.flush();
    expect(emulator.customers(API_KEY)).toMatchObject([
      { externalId: 'user_1', email: 'ada@example.com', name: 'Ada Lovelace', metadata: { plan: 'pro' } },
    ]);
    expect(emulator.upsertCount('user_1')).toBe(1);
  });

  it('re-syncs the user with the profile the rename request saved', async () => {
    const headers = await logIn();
    await app.supportdesk.flush();
    const renamed = await app.inject({
      method: 'POST',
      url: '/profile',
      headers,
      payload: { name: 'Ada King', plan: 'enterprise' },
    });
    expect(renamed.statusCode).toBe(200);
    await app.supportdesk.flush();
    expect(emulator.customers(API_KEY)).toMatchObject([
      { name: 'Ada King', metadata: { plan: 'enterprise' } },
    ]);
    expect(emulator.upsertCount('user_1')).toBe(2);
  });

  it('refuses a wrong password, a missing token and a forged one, and syncs nobody', async () => {
    const wrong = await app.inject({
      method: 'POST',
      url: '/login',
      payload: { email: ada?.email, password: 'not-it' },
    });
    const anonymous = await app.inject('/me');
    // Ada's claims under a signature the app never made.
    const [header, claims] = app.jwt.sign({ sub: 'user_1' }).split('.');
    const forgedToken = `${header}.${claims}.${Buffer.from('not the signature').toString('base64url')}`;
    const forged = await app.inject({ url: '/me', headers: { authorization: `Bearer ${forgedToken}` } });
    expect([wrong.statusCode, anonymous.statusCode, forged.statusCode]).toEqual([401, 401, 401]);
    await app.supportdesk.flush();
    expect(emulator.requestCount).toBe(0);
  });

  it('leaves /health alone, as its route config says', async () => {
    const headers = await logIn();
    await app.supportdesk.flush();
    const before = app.supportdesk.stats();
    expect((await app.inject({ url: '/health', headers })).json()).toEqual({ ok: true });
    await app.supportdesk.flush();
    expect(app.supportdesk.stats()).toEqual(before);
  });
});

describe('pnpm start, away from a terminal', () => {
  it('runs the demo against the embedded emulator and exits 0 with the renamed customer', async () => {
    const server = fileURLToPath(new URL('../src/server.js', import.meta.url));
    const { SUPPORTDESK_API_KEY: _key, SUPPORTDESK_BASE_URL: _url, ...env } = process.env;
    const { stdout } = await promisify(execFile)(process.execPath, [server], {
      env: { ...env, CI: 'true', PORT: '0' },
      timeout: 30_000,
    });
    expect(stdout).toContain('sync: user_1 created in SupportDesk');
    expect(stdout).toContain('sync: user_1 updated in SupportDesk');
    expect(stdout).toContain('"name": "Ada King"');
    expect(stdout.trimEnd().endsWith('demo: done')).toBe(true);
  });
});
