import { type Emulator, startEmulator } from '@supportdesk/emulator';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { DEMO_ACCOUNTS } from '../src/users.js';

const API_KEY = 'sk_example_test';
const [ada] = DEMO_ACCOUNTS;

describe('the Express example app', () => {
  let emulator: Emulator;
  let app: ReturnType<typeof createApp>['app'];
  let sync: ReturnType<typeof createApp>['sync'];

  beforeEach(async () => {
    emulator = await startEmulator({ port: 0, apiKeys: [API_KEY] });
    ({ app, sync } = createApp({ apiKey: API_KEY, baseUrl: emulator.baseUrl }));
  });

  afterEach(async () => {
    await sync.close();
    await emulator.close();
  });

  const logIn = async () => {
    const agent = request.agent(app);
    await agent.post('/login').send({ email: ada?.email, password: ada?.password }).expect(200);
    return agent;
  };

  it('syncs the user who logs in and opens /me', async () => {
    const agent = await logIn();
    await agent
      .get('/me')
      .expect(200, { user: { id: 'user_1', email: ada?.email, name: 'Ada Lovelace', plan: 'pro' } });
    await sync.flush();
    expect(emulator.customers(API_KEY)).toMatchObject([
      { externalId: 'user_1', email: 'ada@example.com', name: 'Ada Lovelace', metadata: { plan: 'pro' } },
    ]);
  });

  it('re-syncs the user after a profile change', async () => {
    const agent = await logIn();
    await agent.get('/me').expect(200);
    await sync.flush();
    await agent.post('/profile').send({ name: 'Ada King', plan: 'enterprise' }).expect(200);
    await sync.flush();
    expect(emulator.customers(API_KEY)).toMatchObject([
      { name: 'Ada King', metadata: { plan: 'enterprise' } },
    ]);
    expect(emulator.upsertCount('user_1')).toBe(2);
  });

  it('logs in with a form post as well as JSON', async () => {
    await request(app)
      .post('/login')
      .type('form')
      .send({ email: ada?.email, password: ada?.password })
      .expect(200);
  });

  it('refuses a wrong password and syncs nobody', async () => {
    await request(app).post('/login').send({ email: ada?.email, password: 'not-it' }).expect(401);
    await sync.flush();
    expect(emulator.requestCount).toBe(0);
  });

  it('keeps /me behind the login and syncs nobody after logout', async () => {
    const agent = await logIn();
    await agent.post('/logout').expect(204);
    await agent.get('/me').expect(401);
    await sync.flush();
    // The login request synced Ada; neither the logout nor the refused /me had a user to sync.
    expect(sync.stats()).toMatchObject({ synced: 1, skipped: 0, ignored: 2 });
  });
});
