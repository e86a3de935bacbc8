import { Buffer } from 'node:buffer';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SupportDeskClient } from '../../src/client/client.js';
import { SupportDeskError } from '../../src/errors.js';
import { recordingLogger, useEngines } from '../support/engines.js';
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

const base64 = (text: string) => Buffer.from(text).toString('base64');
const percentEncoded = (text: string, hex: (digits: string) => string) =>
  Array.from(Buffer.from(text), (byte) => `%${hex(byte.toString(16).padStart(2, '0'))}`).join('');

/** How a server or a proxy may echo a key back: the part to hide, and the text around it. */
const encodings: [string, (key: string) => { secret: string; echoed: string }][] = [
  ['as is', (key) => ({ secret: key, echoed: key })],
  ['in upper case', (key) => ({ secret: key.toUpperCase(), echoed: key.toUpperCase() })],
  ['in lower case', (key) => ({ secret: key.toLowerCase(), echoed: key.toLowerCase() })],
  [
    'encodeURIComponent-encoded in a query',
    (key) => ({ secret: encodeURIComponent(key), echoed: `?api_key=${encodeURIComponent(key)}&x=1` }),
  ],
  [
    'fully percent-encoded, upper-case hex',
    (key) => ({
      secret: percentEncoded(key, (hex) => hex.toUpperCase()),
      echoed: percentEncoded(key, (hex) => hex.toUpperCase()),
    }),
  ],
  [
    'fully percent-encoded, lower-case hex',
    (key) => ({ secret: percentEncoded(key, (hex) => hex), echoed: percentEncoded(key, (hex) => hex) }),
  ],
  ['base64', (key) => ({ secret: base64(key), echoed: `token ${base64(key)}.` })],
  [
    'base64url',
    (key) => ({
      secret: Buffer.from(key).toString('base64url'),
      echoed: Buffer.from(key).toString('base64url'),
    }),
  ],
  [
    'as Basic base64(":" + key)',
    (key) => ({ secret: base64(`:${key}`), echoed: `Basic ${base64(`:${key}`)}` }),
  ],
  [
    'as Basic base64(key + ":")',
    (key) => ({ secret: base64(`${key}:`), echoed: `Basic ${base64(`${key}:`)}` }),
  ],
  [
    'as Basic base64("user:" + key)',
    (key) => ({ secret: base64(`user:${key}`).slice(4), echoed: `Basic ${base64(`user:${key}`)}` }),
  ],
];

/** The test key, and one holding the characters that percent- and base64-encoding change most. */
const keys = [API_KEY, 'sk_live+Ab/Cd=Ef~9f2c!Z'];

const echoCases = keys.flatMap((key) =>
  encodings.map(([name, encode], index) => [name, key, index, encode(key)] as const),
);

/** Fails when any 8 characters in a row of the secret survive in `text`. */
function expectNoPieceOf(secret: string, text: string): void {
  for (let start = 0; start + 8 <= secret.length; start++)
    expect(text).not.toContain(secret.slice(start, start + 8));
}

describe('the API key never leaks, however the server encodes it', () => {
  let echoing: FaultServer;
  const { engine } = useEngines();

  /** Answers 400 echoing the request's own key, encoded as encodings[externalId] says, in message and code. */
  beforeAll(async () => {
    echoing = await startFaultServer((res, request) => {
      const key = String(request.headers['x-api-key']);
      const encoding = encodings[Number(request.path.split('/').pop())];
      if (encoding === undefined) throw new Error(`no encoding for ${request.path}`);
      const { echoed } = encoding[1](key);
      reply(res, 400, {
        success: false,
        error: { code: echoed, message: `Invalid credentials ${echoed} for this app` },
      });
    });
  });

  afterAll(async () => {
    await echoing.close();
  });

  it.each(echoCases)(
    'keeps a key echoed %s out of the error (key %s)',
    async (_name, apiKey, index, { secret }) => {
      const client = testClient(echoing.baseUrl, { apiKey });
      const error = (await rejectionOf(client.upsertCustomer(String(index), john))) as SupportDeskError;
      expect(error).toBeInstanceOf(SupportDeskError);
      expect(error.message).toContain('Invalid credentials');
      expect(error.message).toContain('[redacted]');
      const renderings = [
        error.message,
        String(error.stack),
        String(error.code),
        JSON.stringify(error),
        inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
      ];
      for (const text of renderings) {
        expectNoPieceOf(secret, text);
        expectNoPieceOf(apiKey.toLowerCase(), text.toLowerCase());
      }
    },
  );

  it.each(echoCases)(
    'keeps a key echoed %s out of the log line and onError (key %s)',
    async (_name, apiKey, index, { secret }) => {
      const { lines, logger } = recordingLogger();
      const reported: SupportDeskError[] = [];
      const sync = engine<object>({
        apiKey,
        baseUrl: echoing.baseUrl,
        logger,
        onError: (error) => reported.push(error),
        mapUser: () => ({ externalId: String(index), ...john }),
      });
      expect((await sync.identify({})).status).toBe('failed');
      expect(lines.some((line) => line.message.includes('[redacted]'))).toBe(true);
      expect(reported).toHaveLength(1);
      const text = [
        JSON.stringify(lines),
        ...reported.map((error) => inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true })),
      ].join('\n');
      expectNoPieceOf(secret, text);
      expectNoPieceOf(apiKey.toLowerCase(), text.toLowerCase());
    },
  );
});
