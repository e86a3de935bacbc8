import { describe, expect, it, vi } from 'vitest';
import { ada, FakeClient, manualClock, settle, useEngines } from './sync-support.js';

const { engine } = useEngines();

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

describe('changes while a request is in flight', () => {
  it('sends a change that arrives meanwhile once afterwards, the latest one', async () => {
    const client = new FakeClient({ auto: false });
    const sync = engine({ client });
    const first = sync.identify(ada);
    const second = sync.identify({ ...ada, name: 'Second' });
    const third = sync.identify({ ...ada, name: 'Third' });
    expect(client.calls).toHaveLength(1);
    client.calls[0]?.resolve(true);
    await settle();
    expect(client.calls.map((call) => call.input.name)).toEqual(['Ada Lovelace', 'Third']);
    client.calls[1]?.resolve(false);
    expect((await first).status).toBe('synced');
    expect(await second).toMatchObject({ status: 'synced', wasCreated: false });
    expect((await third).status).toBe('coalesced');
  });

  it('drops a queued change when the payload in flight becomes the latest again', async () => {
    const client = new FakeClient({ auto: false });
    const sync = engine({ client });
    void sync.identify(ada);
    const changed = sync.identify({ ...ada, name: 'Changed' });
    const back = sync.identify(ada);
    client.calls[0]?.resolve(true);
    await sync.flush();
    expect(client.calls).toHaveLength(1);
    expect((await changed).status).toBe('coalesced');
    expect((await back).status).toBe('coalesced');
  });

  it('updates a queued payload in place before it is sent', async () => {
    const client = new FakeClient({ auto: false });
    const sync = engine({ client, concurrency: 1 });
    void sync.identify({ ...ada, id: 'busy' });
    void sync.identify(ada);
    void sync.identify({ ...ada, name: 'Latest' });
    client.calls[0]?.resolve(true);
    await settle();
    expect(client.calls.map((call) => [call.externalId, call.input.name])).toEqual([
      ['busy', 'Ada Lovelace'],
      ['u1', 'Latest'],
    ]);
    client.calls[1]?.resolve(true);
    await sync.flush();
    expect(client.calls).toHaveLength(2);
  });
});

describe('mapping', () => {
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
