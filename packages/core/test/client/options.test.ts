import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SupportDeskClient } from '../../src/client/client.js';
import { DEFAULT_BASE_URL, type SupportDeskClientOptions } from '../../src/client/options.js';
import { SupportDeskConfigError } from '../../src/errors.js';
import { API_KEY, countingFetch } from '../support/fault-server.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

function configErrorOf(options?: SupportDeskClientOptions): SupportDeskConfigError {
  try {
    new SupportDeskClient(options);
  } catch (error) {
    expect(error).toBeInstanceOf(SupportDeskConfigError);
    return error as SupportDeskConfigError;
  }
  throw new Error('expected the constructor to throw');
}

const namespaceOf = (baseUrl: string, apiKey: string) =>
  createHash('sha256').update(`${baseUrl}\n${apiKey}`).digest('hex').slice(0, 16);

describe('SupportDeskClient options: the API key', () => {
  it('refuses to start without a key and says to set SUPPORTDESK_API_KEY or pass apiKey', () => {
    vi.stubEnv('SUPPORTDESK_API_KEY', undefined);
    const error = configErrorOf();
    expect(error.message).toContain('SUPPORTDESK_API_KEY');
    expect(error.message).toContain('apiKey');
    expect(error).toMatchObject({ code: 'CONFIG_ERROR', retryable: false });
  });

  it('treats an empty SUPPORTDESK_API_KEY as missing', () => {
    vi.stubEnv('SUPPORTDESK_API_KEY', '');
    expect(configErrorOf().message).toContain('SUPPORTDESK_API_KEY');
  });

  it('reads the key from SUPPORTDESK_API_KEY when apiKey is not given', () => {
    vi.stubEnv('SUPPORTDESK_API_KEY', 'env-key');
    expect(new SupportDeskClient().namespace).toBe(namespaceOf(DEFAULT_BASE_URL, 'env-key'));
  });

  it('prefers an explicit apiKey over SUPPORTDESK_API_KEY', () => {
    vi.stubEnv('SUPPORTDESK_API_KEY', 'env-key');
    expect(new SupportDeskClient({ apiKey: 'explicit' }).namespace).toBe(
      namespaceOf(DEFAULT_BASE_URL, 'explicit'),
    );
  });

  it.each([
    ['empty', ''],
    ['surrounded by whitespace', ` ${API_KEY}\n`],
    ['holding a space', 'sk_test abc'],
    ['holding a control character', 'sk_test\u0000abc'],
    ['non-ASCII', 'sk_tést_abc'],
  ])('refuses a key that is %s, without quoting it', (_case, apiKey) => {
    const error = configErrorOf({ apiKey });
    expect(error.message).toMatch(/copy it again/);
    if (apiKey.trim() !== '') expect(error.message).not.toContain(apiKey.trim());
  });

  it('refuses a key that is not a string', () => {
    expect(configErrorOf({ apiKey: 42 as unknown as string }).message).toMatch(/apiKey must be a string/);
  });
});

describe('SupportDeskClient options: baseUrl', () => {
  it('uses DEFAULT_BASE_URL when neither the option nor SUPPORTDESK_BASE_URL is set', () => {
    vi.stubEnv('SUPPORTDESK_BASE_URL', undefined);
    expect(new SupportDeskClient({ apiKey: API_KEY }).baseUrl).toBe(
      'https://supportdesk.innovartx.com/api/v1',
    );
  });

  it('lets SUPPORTDESK_BASE_URL replace the default', () => {
    vi.stubEnv('SUPPORTDESK_BASE_URL', 'http://127.0.0.1:4010/api/v1');
    expect(new SupportDeskClient({ apiKey: API_KEY }).baseUrl).toBe('http://127.0.0.1:4010/api/v1');
  });

  it('prefers an explicit baseUrl over SUPPORTDESK_BASE_URL', () => {
    vi.stubEnv('SUPPORTDESK_BASE_URL', 'http://127.0.0.1:4010/api/v1');
    expect(new SupportDeskClient({ apiKey: API_KEY, baseUrl: 'https://eu.example.com/v2' }).baseUrl).toBe(
      'https://eu.example.com/v2',
    );
  });

  it('names SUPPORTDESK_BASE_URL in the error when that is where the bad URL came from', () => {
    vi.stubEnv('SUPPORTDESK_BASE_URL', 'http://supportdesk.example.com');
    expect(configErrorOf({ apiKey: API_KEY }).message).toContain('SUPPORTDESK_BASE_URL');
  });

  it.each([
    ['https://api.example.com/api/v1/', 'https://api.example.com/api/v1'],
    ['https://api.example.com/api/v1///', 'https://api.example.com/api/v1'],
    ['https://api.example.com', 'https://api.example.com'],
    ['https://API.Example.com:443/v1', 'https://api.example.com/v1'],
    ['http://localhost:4010/api/v1/', 'http://localhost:4010/api/v1'],
    ['http://127.0.0.1:4010/api/v1', 'http://127.0.0.1:4010/api/v1'],
    ['http://127.8.9.10/api', 'http://127.8.9.10/api'],
    ['http://[::1]:8080/api', 'http://[::1]:8080/api'],
  ])('accepts %s as %s', (baseUrl, expected) => {
    expect(new SupportDeskClient({ apiKey: API_KEY, baseUrl }).baseUrl).toBe(expected);
  });

  it.each([
    ['not a URL', 'supportdesk.example.com/api', /not an absolute URL/],
    ['another protocol', 'ftp://api.example.com/api', /must be https/],
    ['a query', 'https://api.example.com/api?region=eu', /query or fragment/],
    ['an empty query', 'https://api.example.com/api?', /query or fragment/],
    ['a fragment', 'https://api.example.com/api#top', /query or fragment/],
    ['credentials', 'https://user:pass@api.example.com/api', /credentials/],
    ['plain http to a public host', 'http://api.example.com/api', /clear text/],
    ['plain http to a private address', 'http://10.0.0.5/api', /clear text/],
    ['plain http to a look-alike of localhost', 'http://localhost.example.com/api', /clear text/],
  ])('refuses a baseUrl with %s', (_case, baseUrl, message) => {
    expect(configErrorOf({ apiKey: API_KEY, baseUrl }).message).toMatch(message);
  });

  it('never calls fetch when plain http points at a host that is not loopback', () => {
    const counter = countingFetch();
    configErrorOf({ apiKey: API_KEY, baseUrl: 'http://api.example.com/api/v1', fetch: counter.fetch });
    expect(counter.calls()).toBe(0);
  });

  it('keeps the rest of a URL out of the error, in case a secret was pasted into it', () => {
    const error = configErrorOf({ apiKey: API_KEY, baseUrl: `https://x:${API_KEY}@api.example.com` });
    expect(error.message).not.toContain(API_KEY);
  });
});

describe('SupportDeskClient options: numbers and functions', () => {
  it.each([
    ['timeoutMs', 0],
    ['timeoutMs', -1],
    ['timeoutMs', 1.5],
    ['timeoutMs', Number.NaN],
    ['timeoutMs', Number.POSITIVE_INFINITY],
    ['timeoutMs', '1000'],
    ['maxRetries', -1],
    ['maxRetries', 11],
    ['maxRetries', 0.5],
    ['maxPayloadBytes', 0],
    ['retryBaseDelayMs', -1],
    ['retryMaxDelayMs', 2 ** 31],
    ['maxRetryAfterMs', -5],
  ])('refuses %s = %s and names the option and its default', (name, value) => {
    const error = configErrorOf({ apiKey: API_KEY, [name]: value });
    expect(error.message).toMatch(
      new RegExp(
        `^new SupportDeskClient: ${name} must be an integer from \\d+ to \\d+ .*the default is \\d+`,
      ),
    );
  });

  it.each([
    ['timeoutMs', 1],
    ['maxRetries', 0],
    ['maxRetries', 10],
    ['retryBaseDelayMs', 0],
    ['maxRetryAfterMs', 0],
  ])('accepts %s = %s', (name, value) => {
    expect(() => new SupportDeskClient({ apiKey: API_KEY, [name]: value })).not.toThrow();
  });

  it.each(['fetch', 'sleep', 'now'])('refuses a %s that is not a function', (name) => {
    expect(configErrorOf({ apiKey: API_KEY, [name]: 'nope' }).message).toBe(
      `new SupportDeskClient: ${name} must be a function (got string)`,
    );
  });

  it.each([[''], ['my app\n/1'], ['app/1  two'], ['appé/1'], ['x'.repeat(257)]])(
    'refuses the userAgent token %j',
    (userAgent) => {
      expect(configErrorOf({ apiKey: API_KEY, userAgent }).message).toMatch(/userAgent must be/);
    },
  );

  it.each([[null], ['apiKey'], [42]])('refuses options that are not an object (%j)', (options) => {
    expect(configErrorOf(options as SupportDeskClientOptions).message).toMatch(/options must be an object/);
  });

  it('treats options set to undefined as not given', () => {
    vi.stubEnv('SUPPORTDESK_BASE_URL', undefined);
    const client = new SupportDeskClient({ apiKey: API_KEY, baseUrl: undefined, timeoutMs: undefined });
    expect(client.baseUrl).toBe(DEFAULT_BASE_URL);
  });
});

describe('SupportDeskClient options: unknown options', () => {
  it('refuses an engine option such as ttl, naming it and the type to check it against', () => {
    const error = configErrorOf({ apiKey: API_KEY, ttl: 60_000 } as SupportDeskClientOptions);
    expect(error.message).toBe(
      'new SupportDeskClient: unknown option "ttl": check the spelling against SupportDeskClientOptions',
    );
  });

  it('names every unknown option of a call, and never calls fetch', () => {
    const counter = countingFetch();
    const options = { apiKey: API_KEY, fetch: counter.fetch, maxRetires: 3, timeout: 5 };
    const error = configErrorOf(options as SupportDeskClientOptions);
    expect(error.message).toContain('unknown options "maxRetires", "timeout"');
    expect(counter.calls()).toBe(0);
  });
});

describe('SupportDeskClient identity', () => {
  it('derives namespace from 16 hex chars of sha256 over baseUrl and key', () => {
    const client = new SupportDeskClient({ apiKey: API_KEY, baseUrl: 'https://api.example.com/v1/' });
    expect(client.namespace).toBe(namespaceOf('https://api.example.com/v1', API_KEY));
    expect(client.namespace).toMatch(/^[0-9a-f]{16}$/);
  });

  it('gives two keys on one baseUrl two namespaces', () => {
    const a = new SupportDeskClient({ apiKey: 'key-a' });
    const b = new SupportDeskClient({ apiKey: 'key-b' });
    expect(a.namespace).not.toBe(b.namespace);
  });

  it('shows baseUrl and namespace but never the key to util.inspect or JSON.stringify', () => {
    const client = new SupportDeskClient({ apiKey: API_KEY });
    const inspected = inspect(client, { depth: Number.POSITIVE_INFINITY, showHidden: true });
    expect(inspected).toContain(client.baseUrl);
    expect(inspected).not.toContain(API_KEY);
    expect(JSON.parse(JSON.stringify(client))).toEqual({
      baseUrl: client.baseUrl,
      namespace: client.namespace,
    });
  });

  it('keeps the key off every enumerable or own property of the client', () => {
    const client = new SupportDeskClient({ apiKey: API_KEY });
    const values = Reflect.ownKeys(client).map((key) => String(Reflect.get(client, key)));
    expect(values.join('\n')).not.toContain(API_KEY);
  });
});
