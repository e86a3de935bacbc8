import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SupportDeskClient } from '../../src/client/client.js';
import { SupportDeskError } from '../../src/errors.js';
import {
  API_KEY,
  type FaultServer,
  rejectionOf,
  reply,
  startFaultServer,
  testClient,
  upsertSuccess,
} from '../support/fault-server.js';

const john = { email: 'john@acme.com', name: 'John Doe' };
const echo = `Invalid API key ${API_KEY} for this app`;

let server: FaultServer;
let closed: FaultServer;

/** Routes by externalId, so one server plays every fault; error bodies echo the key back, as a careless proxy might. */
beforeAll(async () => {
  server = await startFaultServer((res, request) => {
    const id = decodeURIComponent(request.path.split('/').pop() ?? '');
    const status = Number(id.replace(/\D/g, ''));
    if (id === 'redirect') return reply(res, 302, '', { location: `http://127.0.0.1:1/?key=${API_KEY}` });
    if (id === 'invalid') return reply(res, 200, { success: true, data: { echo } });
    if (id === 'hang') return;
    if (id === 'ok') return reply(res, 200, upsertSuccess('ok'));
    reply(
      res,
      status,
      { success: false, error: { code: 'SOME_CODE', message: echo } },
      { 'retry-after': '0' },
    );
  });
  closed = await startFaultServer(() => undefined);
  await closed.close();
});

afterAll(async () => {
  await server.close();
});

function fromConstructor(options: ConstructorParameters<typeof SupportDeskClient>[0]) {
  return async () => {
    try {
      new SupportDeskClient(options);
    } catch (error) {
      return error;
    }
    throw new Error('expected a config error');
  };
}

const fromUpsert =
  (externalId: string, input: object = john, options: Parameters<typeof testClient>[1] = {}) =>
  () =>
    rejectionOf(testClient(server.baseUrl, { maxRetries: 1, ...options }).upsertCustomer(externalId, input));

const cases: [string, () => Promise<unknown>][] = [
  [
    'config error (http to a public host)',
    fromConstructor({ apiKey: API_KEY, baseUrl: 'http://example.com' }),
  ],
  ['config error (a key with a newline)', fromConstructor({ apiKey: `${API_KEY}\n` })],
  [
    'config error (a key pasted into baseUrl)',
    fromConstructor({ apiKey: API_KEY, baseUrl: `https://${API_KEY}@x.io` }),
  ],
  ['local validation error', fromUpsert('user_42', { email: API_KEY })],
  ['400 validation error', fromUpsert('s400')],
  ['409 email exists', fromUpsert('s409')],
  ['401 auth error', fromUpsert('s401')],
  ['403 auth error', fromUpsert('s403')],
  ['429 rate limit error', fromUpsert('s429')],
  ['500 API error', fromUpsert('s500')],
  ['invalid response', fromUpsert('invalid')],
  ['redirect', fromUpsert('redirect')],
  ['timeout', fromUpsert('hang', john, { timeoutMs: 50, maxRetries: 0 })],
  [
    'connection refused',
    () => rejectionOf(testClient(closed.baseUrl, { maxRetries: 0 }).upsertCustomer('user_42', john)),
  ],
  [
    'caller abort',
    () =>
      rejectionOf(
        testClient(server.baseUrl).upsertCustomer('hang', john, { signal: AbortSignal.timeout(50) }),
      ),
  ],
];

describe('the API key never leaks into an error', () => {
  it.each(cases)('keeps the key out of a %s', async (_case, produce) => {
    const error = await produce();
    expect(error).toBeInstanceOf(SupportDeskError);
    const e = error as SupportDeskError;
    const renderings = [
      e.message,
      String(e.stack),
      String(e),
      JSON.stringify(e),
      JSON.stringify(e.toJSON()),
      inspect(e, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    ];
    for (const text of renderings) expect(text).not.toContain(API_KEY);
  });

  it('redacts the key from a server message that echoes it, keeping the rest', async () => {
    const error = (await fromUpsert('s401')()) as Error;
    expect(error.message).toContain('Invalid API key [redacted] for this app');
  });

  it('still sends the key itself to the server', async () => {
    await testClient(server.baseUrl).upsertCustomer('ok', john);
    expect(server.requests.at(-1)?.headers['x-api-key']).toBe(API_KEY);
  });
});
