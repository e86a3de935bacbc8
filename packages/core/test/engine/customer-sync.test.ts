import { afterEach, describe, expect, it, vi } from 'vitest';
import { SupportDeskConfigError } from '../../src/errors.js';
import { ada, FakeClient, manualClock, recordingLogger, useEngines } from '../support/engines.js';

const { engine } = useEngines();

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('dedupe', () => {
  it('sends one request for 500 concurrent identifies of one user', async () => {
    const client = new FakeClient();
    const sync = engine({ client });
    const outcomes = await Promise.all(Array.from({ length: 500 }, () => sync.identify(ada)));
    expect(client.calls).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.status === 'synced')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.status === 'coalesced')).toHaveLength(499);
    expect(outcomes[499]?.customer?.externalId).toBe('u1');
  });

  it('sends one request for 100 sequential identifies of an unchanged user', async () => {
    const client = new FakeClient();
    const sync = engine({ client });
    const statuses: string[] = [];
    for (let i = 0; i < 100; i++) statuses.push((await sync.identify({ ...ada })).status);
    expect(client.calls).toHaveLength(1);
    expect(statuses.filter((status) => status === 'skipped')).toHaveLength(99);
    expect(sync.stats()).toMatchObject({ synced: 1, created: 1, skipped: 99 });
  });

  it('sends exactly one more request after a name change', async () => {
    const client = new FakeClient();
    const sync = engine({ client });
    await sync.identify(ada);
    await sync.identify({ ...ada, name: 'Ada King' });
    await sync.identify({ ...ada, name: 'Ada King' });
    expect(client.calls.map((call) => call.input.name)).toEqual(['Ada Lovelace', 'Ada King']);
  });

  it('sends an unchanged user again once ttlMs has passed', async () => {
    const client = new FakeClient();
    const clock = manualClock();
    const sync = engine({ client, ttlMs: 60_000, now: clock.now });
    await sync.identify(ada);
    clock.advance(59_999);
    expect((await sync.identify(ada)).status).toBe('skipped');
    clock.advance(2);
    expect((await sync.identify(ada)).status).toBe('synced');
    expect(client.calls).toHaveLength(2);
  });

  it('treats the same fields in another key order as unchanged', async () => {
    const client = new FakeClient();
    const sync = engine<Record<string, string>>({
      client,
      mapUser: (user) => ({ externalId: 'u1', ...user }),
    });
    await sync.identify({ name: 'Ada', email: 'ada@example.com' });
    expect((await sync.identify({ email: 'ada@example.com', name: 'Ada' })).status).toBe('skipped');
  });

  it('marks a user synced only after a success', async () => {
    const client = new FakeClient();
    client.failNext(new Error('boom'));
    const sync = engine({ client });
    expect((await sync.identify(ada)).status).toBe('failed');
    expect((await sync.identify(ada)).status).toBe('synced');
    expect(client.calls).toHaveLength(2);
  });

  it('forgets the least recently seen users beyond maxEntries', async () => {
    const client = new FakeClient();
    const sync = engine({ client, maxEntries: 2 });
    for (const id of ['a', 'b', 'c']) await sync.identify({ ...ada, id });
    expect((await sync.identify({ ...ada, id: 'a' })).status).toBe('synced');
    expect(client.calls).toHaveLength(4);
  });

  it('answers an unchanged user without a request, a timer or a pending promise', async () => {
    const client = new FakeClient();
    const sync = engine({ client });
    await sync.identify(ada);
    vi.useFakeTimers();
    const outcome = sync.identify(ada);
    expect(vi.getTimerCount()).toBe(0);
    expect(sync.stats()).toMatchObject({ skipped: 1, queued: 0, inFlight: 0 });
    await expect(outcome).resolves.toEqual({ status: 'skipped', externalId: 'u1' });
    expect(client.calls).toHaveLength(1);
  });
});

describe('mapping', () => {
  it('skips a user whose mapUser returns a number id, once synced, like a string id', async () => {
    const client = new FakeClient();
    const sync = engine({
      client,
      mapUser: (row: { id: number; name: string; email: string }) => ({
        externalId: row.id,
        name: row.name,
        email: row.email,
      }),
    });
    const row = { id: 1, name: 'Ada Lovelace', email: 'ada@example.com' };
    expect(await sync.identify(row)).toMatchObject({ status: 'synced', externalId: '1' });
    expect(await sync.identify(row)).toEqual({ status: 'skipped', externalId: '1' });
    expect(client.calls.map((call) => call.externalId)).toEqual(['1']);
  });

  it('waits for an async mapUser', async () => {
    const client = new FakeClient();
    const sync = engine({ client, mapUser: async (user) => ({ externalId: user.id, name: user.name }) });
    expect(await sync.identify(ada)).toMatchObject({ status: 'synced', externalId: 'u1' });
    expect(client.calls[0]?.input).toEqual({ name: 'Ada Lovelace' });
  });

  it.each([
    ['no user', undefined, () => ({ externalId: 'x' })],
    ['a null user', null, () => ({ externalId: 'x' })],
    ['mapUser returning null', ada, () => null],
    ['an async mapUser resolving undefined', ada, async () => undefined],
  ])('resolves ignored for %s, without a request', async (_, user, mapUser) => {
    const client = new FakeClient();
    const sync = engine<typeof ada | null | undefined>({ client, mapUser });
    expect(await sync.identify(user)).toEqual({ status: 'ignored' });
    expect(client.calls).toHaveLength(0);
    expect(sync.stats().ignored).toBe(1);
  });

  it('reads common user shapes without a mapUser', async () => {
    const client = new FakeClient();
    const sync = engine<unknown>({ client });
    await sync.identify({ _id: 7, displayName: 'Grace', emails: [{ value: 'grace@example.com' }] });
    expect(client.calls[0]).toMatchObject({
      externalId: '7',
      input: { name: 'Grace', email: 'grace@example.com' },
    });
  });
});

describe('mapUser failures', () => {
  it('resolves invalid when mapUser throws, and reports the message once', async () => {
    const onError = vi.fn();
    const sync = engine({
      client: new FakeClient(),
      onError,
      mapUser: () => {
        throw new Error('no profile');
      },
    });
    const outcomes = await Promise.all([sync.identify(ada), sync.identify(ada), sync.identify(ada)]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['invalid', 'invalid', 'invalid']);
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]?.[0].message).toContain('no profile');
  });

  it('resolves invalid when an async mapUser rejects', async () => {
    const sync = engine({
      client: new FakeClient(),
      mapUser: async () => Promise.reject(new Error('db down')),
    });
    expect(await sync.identify(ada)).toMatchObject({ status: 'invalid' });
  });

  it('resolves invalid when mapUser returns something other than an object', async () => {
    const sync = engine({ client: new FakeClient(), mapUser: (() => 'u1') as never });
    expect((await sync.identify(ada)).status).toBe('invalid');
  });
});

describe('enabled: false', () => {
  it('needs no API key and resolves every identify as ignored', async () => {
    vi.stubEnv('SUPPORTDESK_API_KEY', undefined);
    const before = process.listenerCount('beforeExit');
    const sync = engine({ enabled: false });
    expect(await sync.identify(ada)).toEqual({ status: 'ignored' });
    expect(sync.client).toBeUndefined();
    expect(process.listenerCount('beforeExit')).toBe(before);
  });

  it('throws SupportDeskConfigError at construction when enabled without an API key', () => {
    vi.stubEnv('SUPPORTDESK_API_KEY', undefined);
    expect(() => engine({ enabled: true })).toThrow(
      /^new CustomerSync: missing SupportDesk API key: pass it as the apiKey option or set the SUPPORTDESK_API_KEY/,
    );
  });
});

describe('no API key at all', () => {
  it('starts disabled outside production, warns once how to set a key, and ignores every identify', async () => {
    vi.stubEnv('SUPPORTDESK_API_KEY', undefined);
    vi.stubEnv('NODE_ENV', 'test');
    const { lines, logger } = recordingLogger();
    const sync = engine({ logger });
    expect(await sync.identify(ada)).toEqual({ status: 'ignored' });
    expect(await sync.identify(ada)).toEqual({ status: 'ignored' });
    expect(sync.client).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', fields: { code: 'MISSING_API_KEY' } });
    expect(lines[0]?.message).toMatch(/^new CustomerSync: no SupportDesk API key .* Set SUPPORTDESK_API_KEY/);
    expect(lines[0]?.message).toContain('npx supportdesk-emulator');
  });

  it('warns on the console when there is no logger, even with onError', () => {
    vi.stubEnv('SUPPORTDESK_API_KEY', undefined);
    vi.stubEnv('NODE_ENV', 'development');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      engine({ onError: () => {} });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]?.[0]).toMatch(/^\[supportdesk\] new CustomerSync: no SupportDesk API key/);
    } finally {
      warn.mockRestore();
    }
  });

  it('counts an empty apiKey (an unset variable read through a config service) as no key', async () => {
    vi.stubEnv('SUPPORTDESK_API_KEY', undefined);
    vi.stubEnv('NODE_ENV', 'test');
    const sync = engine({ apiKey: '', logger: recordingLogger().logger });
    expect(await sync.identify(ada)).toEqual({ status: 'ignored' });
  });

  it('throws in production, naming what was called and how to fix it', () => {
    vi.stubEnv('SUPPORTDESK_API_KEY', undefined);
    vi.stubEnv('NODE_ENV', 'production');
    expect(() => engine({})).toThrow(SupportDeskConfigError);
    expect(() => engine({})).toThrow(
      /^new CustomerSync: missing SupportDesk API key: set the SUPPORTDESK_API_KEY/,
    );
  });

  it('needs no key and warns nothing with enabled: false, even in production', () => {
    vi.stubEnv('SUPPORTDESK_API_KEY', undefined);
    vi.stubEnv('NODE_ENV', 'production');
    const { lines, logger } = recordingLogger();
    expect(() => engine({ enabled: false, logger })).not.toThrow();
    expect(lines).toEqual([]);
  });
});
