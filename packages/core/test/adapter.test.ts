import { type Emulator, startEmulator } from '@supportdesk/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSyncAdapter } from '../src/adapter.js';
import { CustomerSync } from '../src/engine/customer-sync.js';
import { SupportDeskConfigError } from '../src/errors.js';
import { ada, FakeClient, failOnUnhandledRejections, recordingLogger } from './support/engines.js';

failOnUnhandledRejections();

type Request = { user?: unknown };
const readUser = (req: Request) => req.user;
const engines: CustomerSync<never>[] = [];
function adapter(options: Parameters<typeof createSyncAdapter<unknown, [Request]>>[0] = {}) {
  const created = createSyncAdapter<unknown, [Request]>(
    { client: new FakeClient(), flushOnExit: false, onError: () => {}, ...options },
    readUser,
  );
  engines.push(created.sync as CustomerSync<never>);
  return created;
}

afterEach(async () => {
  await Promise.all(engines.splice(0).map((sync) => sync.close(10)));
});

describe('createSyncAdapter', () => {
  it('identifies the user the default getUser reads', async () => {
    const created = adapter();
    expect(created.awaitSync).toBe(false);
    expect(await created.identify({ user: ada })).toMatchObject({ status: 'synced', externalId: 'u1' });
    expect(await created.identify({})).toEqual({ status: 'ignored' });
  });

  it('observes a user without answering anything, for adapters that drop the outcome', async () => {
    const created = adapter();
    expect(created.observe({ user: ada })).toBeUndefined();
    await created.sync.flush();
    expect(created.sync.stats()).toMatchObject({ synced: 1 });
    expect(created.observe({ user: ada })).toBeUndefined();
    expect(created.observe({})).toBeUndefined();
    expect(created.sync.stats()).toMatchObject({ synced: 1, skipped: 1, ignored: 1 });
  });

  it('observes a user read asynchronously, and never throws when getUser does', async () => {
    const onError = vi.fn();
    const throwing = adapter({
      getUser: () => {
        throw new Error('no session');
      },
      onError,
    } as never);
    expect(() => throwing.observe({})).not.toThrow();
    expect(throwing.sync.stats()).toMatchObject({ invalid: 1 });
    expect(onError).toHaveBeenCalledTimes(1);
    const later = adapter({ getUser: async (req: Request) => req.user } as never);
    later.observe({ user: ada });
    await later.sync.flush();
    expect(later.sync.stats()).toMatchObject({ synced: 1 });
  });

  it('passes every context argument to getUser, which may be async', async () => {
    const getUser = vi.fn(async (_req: Request, res: { locals: { user: unknown } }) => res.locals.user);
    const created = createSyncAdapter<unknown, [Request, { locals: { user: unknown } }]>(
      { client: new FakeClient(), flushOnExit: false, getUser, awaitSync: true },
      () => undefined,
    );
    engines.push(created.sync as CustomerSync<never>);
    expect((await created.identify({}, { locals: { user: ada } })).status).toBe('synced');
    expect(getUser).toHaveBeenCalledWith({}, { locals: { user: ada } });
    expect(created.awaitSync).toBe(true);
  });

  it.each([
    [
      'throws',
      () => {
        throw new Error('session store down');
      },
    ],
    ['rejects', () => Promise.reject(new Error('session store down'))],
  ])('resolves invalid when getUser %s, reporting each distinct message once', async (_, getUser) => {
    const onError = vi.fn();
    const { lines, logger } = recordingLogger();
    const created = adapter({ getUser, onError, logger });
    const outcomes = await Promise.all([created.identify({}), created.identify({}), created.identify({})]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['invalid', 'invalid', 'invalid']);
    expect(onError).toHaveBeenCalledTimes(1);
    expect(lines.filter((line) => line.level === 'warn')).toHaveLength(1);
  });

  it('lets flush() wait for an async getUser', async () => {
    const client = new FakeClient();
    let answer: (user: unknown) => void = () => {};
    const created = adapter({ client, getUser: () => new Promise((resolve) => (answer = resolve)) });
    void created.identify({});
    const flushed = created.sync.flush();
    answer(ada);
    await flushed;
    expect(client.calls).toHaveLength(1);
  });

  it('shares an engine given as sync, and reports getUser errors through it', async () => {
    const onError = vi.fn();
    const sync = new CustomerSync({ client: new FakeClient(), flushOnExit: false, onError });
    engines.push(sync as CustomerSync<never>);
    const created = createSyncAdapter<unknown, [Request]>(
      {
        sync,
        getUser: () => {
          throw new Error('x');
        },
      },
      readUser,
    );
    expect(created.sync).toBe(sync);
    expect((await created.identify({})).status).toBe('invalid');
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('does not read the user of a disabled engine', async () => {
    const getUser = vi.fn();
    const created = adapter({ enabled: false, getUser });
    expect(await created.identify({})).toEqual({ status: 'ignored' });
    expect(getUser).not.toHaveBeenCalled();
  });

  it.each<[string, (sync: CustomerSync) => unknown]>([
    ['options that are not an object', () => 'nope'],
    ['a getUser that is not a function', () => ({ getUser: 'req.user' })],
    ['an awaitSync that is not a boolean', () => ({ awaitSync: 'yes' })],
    ['a sync that is not a CustomerSync', () => ({ sync: { identify() {} } })],
    ['a sync mixed with engine options', (sync: CustomerSync) => ({ sync, ttlMs: 5 })],
    ['a bad engine option', () => ({ client: new FakeClient(), concurrency: 0 })],
  ])('throws SupportDeskConfigError at creation for %s', (_, options) => {
    const shared = new CustomerSync({ client: new FakeClient(), flushOnExit: false });
    engines.push(shared as CustomerSync<never>);
    expect(() => createSyncAdapter(options(shared) as never, readUser)).toThrow(SupportDeskConfigError);
  });
});

describe('a missing API key', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('is reported in the name of what the user called, not of the engine or client it builds', () => {
    vi.stubEnv('SUPPORTDESK_API_KEY', undefined);
    vi.stubEnv('NODE_ENV', 'production');
    expect(() => createSyncAdapter({}, readUser, 'supportdesk-test/1.0.0', 'syncCustomers')).toThrow(
      /^syncCustomers: missing SupportDesk API key/,
    );
    vi.stubEnv('NODE_ENV', 'test');
    expect(() =>
      createSyncAdapter({ enabled: true }, readUser, 'supportdesk-test/1.0.0', 'syncCustomers'),
    ).toThrow(/^syncCustomers: missing SupportDesk API key/);
  });
});

describe('awaitSync', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits for the sync for at most awaitSyncTimeoutMs, 2 s by default', async () => {
    vi.useFakeTimers();
    const created = adapter({ awaitSync: true });
    expect(created.awaitSyncTimeoutMs).toBe(2_000);
    let done = false;
    void created.waitFor(new Promise(() => {})).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(1_999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
  });

  it('goes on as soon as the sync settles, leaving no timer behind', async () => {
    vi.useFakeTimers();
    const created = adapter({ awaitSync: true, awaitSyncTimeoutMs: 500 });
    await created.waitFor(created.identify({ user: ada }));
    expect(vi.getTimerCount()).toBe(0);
  });

  it.each([[-1], [1.5], ['2s']])('refuses awaitSyncTimeoutMs %j', (awaitSyncTimeoutMs) => {
    expect(() => adapter({ awaitSyncTimeoutMs } as never)).toThrow(SupportDeskConfigError);
  });
});

describe('the User-Agent', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('names the adapter on every request', async () => {
    const created = createSyncAdapter<unknown, [Request]>(
      { apiKey: 'k', baseUrl: emulator.baseUrl, flushOnExit: false, userAgent: 'my-app/2.0' },
      readUser,
      'supportdesk-test/1.2.3',
    );
    engines.push(created.sync as CustomerSync<never>);
    await created.identify({ user: ada });
    expect(emulator.requests[0]?.headers['user-agent']).toMatch(/supportdesk-test\/1\.2\.3 my-app\/2\.0$/);
  });
});
