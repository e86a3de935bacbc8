import type { Emulator } from '@supportdesk/emulator';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { SyncCustomersOptions } from '../src/index.js';
import {
  API_KEY,
  buildApp,
  frameworks,
  meResponse,
  seedUsers,
  type TestUser,
  useMiddleware,
} from './apps.js';

interface Failure {
  failure: string;
  options?: SyncCustomersOptions<TestUser>;
  arrange?: (emulator: Emulator) => void | Promise<void>;
}

const failures: Failure[] = [
  {
    failure: 'getUser throws',
    options: {
      getUser: () => {
        throw new Error('getUser broke');
      },
    },
  },
  {
    failure: 'mapUser throws',
    options: {
      mapUser: () => {
        throw new Error('mapUser broke');
      },
    },
  },
  {
    failure: 'an async mapUser rejects',
    options: { mapUser: async () => Promise.reject(new Error('lookup failed')) },
  },
  { failure: 'SupportDesk answers 500', arrange: (emulator) => emulator.inject({ status: 500 }) },
  { failure: 'SupportDesk refuses the API key (401)', options: { apiKey: 'sk_wrong_key' } },
  { failure: 'SupportDesk drops the connection', arrange: (emulator) => emulator.inject({ drop: true }) },
  { failure: 'SupportDesk is down', arrange: (emulator) => emulator.close() },
];

describe.each(frameworks)('a failing sync on $name', ({ express }) => {
  const harness = useMiddleware({ maxRetries: 0, onError: () => {} });

  it.each(failures)('leaves the response unchanged when $failure', async ({ options, arrange }) => {
    const { emulator } = harness;
    await arrange?.(emulator);
    const middleware = harness.create(options);
    const app = buildApp(express, middleware, seedUsers());

    const response = await request(app).get('/me').set('x-user', 'user_1');
    await middleware.sync.flush();

    expect({
      status: response.status,
      body: response.body,
      handledBy: response.headers['x-handled-by'],
    }).toEqual({
      status: 203,
      body: meResponse('user_1'),
      handledBy: 'route',
    });
    expect(emulator.customers(API_KEY)).toEqual([]);
  });
});
