import { type Emulator, startEmulator } from '@supportdesk/emulator';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';

const API_KEY = 'sd_example_koa_test';

describe('the Koa example app', () => {
  let emulator: Emulator;
  let example: ReturnType<typeof createApp>;
  let agent: ReturnType<typeof request.agent>;
  let server: import('node:http').Server;

  beforeEach(async () => {
    emulator = await startEmulator({ port: 0 });
    example = createApp({ supportDesk: { apiKey: API_KEY, baseUrl: emulator.baseUrl, maxRetries: 0 } });
    server = example.app.listen(0, '127.0.0.1');
    agent = request.agent(server);
  });

  afterEach(async () => {
    server.closeAllConnections();
    server.close();
    await example.supportDesk.sync.close();
    await emulator.close();
  });

  const customers = () =>
    emulator.customers(API_KEY).map(({ externalId, name, metadata }) => ({ externalId, name, metadata }));

  it('refuses /me before login', async () => {
    await agent.get('/me').expect(401);
  });

  it('refuses a wrong password', async () => {
    await agent.post('/login').send({ username: 'ada', password: 'babbage' }).expect(401);
  });

  it('syncs the user who logs in and opens /me', async () => {
    await agent.post('/login').send({ username: 'ada', password: 'lovelace' }).expect(200);
    await agent
      .get('/me')
      .expect(200)
      .expect((response) => expect(response.body.user.id).toBe('user_ada'));
    await example.supportDesk.sync.flush();

    expect(customers()).toEqual([
      { externalId: 'user_ada', name: 'Ada Lovelace', metadata: { plan: 'pro' } },
    ]);
  });

  it('re-syncs the user after a profile change', async () => {
    await agent.post('/login').type('form').send({ username: 'alan', password: 'turing' }).expect(200);
    await agent.get('/me').expect(200);
    await example.supportDesk.sync.flush();

    await agent.post('/profile').send({ name: 'Alan M. Turing', plan: 'pro' }).expect(200);
    await example.supportDesk.sync.flush();

    expect(customers()).toEqual([
      { externalId: 'user_alan', name: 'Alan M. Turing', metadata: { plan: 'pro' } },
    ]);
    expect(emulator.requestCount).toBe(2);
  });

  it('stops syncing after logout', async () => {
    await agent.post('/login').send({ username: 'grace', password: 'hopper' }).expect(200);
    await agent.post('/logout').expect(204);
    await agent.get('/me').expect(401);
    await example.supportDesk.sync.flush();

    expect(emulator.requestCount).toBe(1);
  });
});
