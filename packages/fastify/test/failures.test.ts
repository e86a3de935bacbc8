import type { Emulator } from '@supportdesk/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupportDeskOptions } from '../src/index.js';
import { API_KEY, frameworks, meResponse, type TestUser, usePlugin } from './support/apps.js';

interface Failure {
  failure: string;
  options?: SupportDeskOptions<TestUser>;
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
  { failure: 'an async getUser rejects', options: { getUser: async () => Promise.reject(new Error('no')) } },
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

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

describe.each(frameworks)('a failing sync on $name', ({ fastify }) => {
  const harness = usePlugin({ maxRetries: 0, onError: () => {} });

  describe.each([false, true])('with awaitSync: %s', (awaitSync) => {
    it.each(failures)('leaves the reply unchanged when $failure', async ({ options, arrange }) => {
      await arrange?.(harness.emulator);
      const app = await harness.start(fastify, { ...options, awaitSync });

      const response = await app.inject({ url: '/me', headers: { 'x-user': 'user_1' } });
      await app.supportdesk.flush();

      expect({
        status: response.statusCode,
        body: response.json(),
        handledBy: response.headers['x-handled-by'],
      }).toEqual({ status: 203, body: meResponse('user_1'), handledBy: 'route' });
      expect(harness.emulator.customers(API_KEY)).toEqual([]);
      expect(unhandled).toEqual([]);
    });

    // A 429 pauses the engine's queue until Retry-After, then the sync goes out.
    it('leaves the reply unchanged while SupportDesk rate-limits, and syncs after Retry-After', async () => {
      harness.emulator.inject({ status: 429, retryAfter: 1, times: 1 });
      const app = await harness.start(fastify, { awaitSync });

      const response = await app.inject({ url: '/me', headers: { 'x-user': 'user_1' } });
      await app.supportdesk.flush();

      expect({ status: response.statusCode, body: response.json() }).toEqual({
        status: 203,
        body: meResponse('user_1'),
      });
      expect(harness.emulator.upsertCount('user_1')).toBe(2);
      expect(harness.emulator.customers(API_KEY)).toHaveLength(1);
      expect(unhandled).toEqual([]);
    });
  });
});
