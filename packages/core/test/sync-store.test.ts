import { describe, expect, it, vi } from 'vitest';
import { SupportDeskConfigError } from '../src/errors.js';
import { MemorySyncStore } from '../src/memory-store.js';
import type { ClaimResult, SyncStore } from '../src/store.js';
import { ada, FakeClient, recordingLogger, settle, useEngines } from './sync-support.js';

const { engine } = useEngines();

/** A shared store answering asynchronously, as a network store would; `answer` decides each claim. */
function scriptedStore(answer: () => ClaimResult | Promise<ClaimResult> = () => 'claimed') {
  const calls: string[] = [];
  const store = {
    calls,
    init: vi.fn(),
    claim: vi.fn(async (externalId: string, _fingerprint: string, leaseMs: number) => {
      calls.push(`claim ${externalId} ${leaseMs}`);
      return answer();
    }),
    commit: vi.fn(async (externalId: string) => {
      calls.push(`commit ${externalId}`);
    }),
    release: vi.fn(async (externalId: string) => {
      calls.push(`release ${externalId}`);
    }),
    close: vi.fn(async () => {
      calls.push('close');
    }),
  } satisfies SyncStore & { calls: string[] };
  return store;
}

describe('a shared store', () => {
  it('is told the client namespace once', () => {
    const store = scriptedStore();
    engine({ client: new FakeClient(), store });
    expect(store.init).toHaveBeenCalledTimes(1);
    expect(store.init).toHaveBeenCalledWith({ namespace: 'fake-namespace' });
  });

  it('claims before sending and commits after a success', async () => {
    const store = scriptedStore();
    const client = new FakeClient();
    const sync = engine({ client, store, storeLeaseMs: 1_234 });
    expect((await sync.identify(ada)).status).toBe('synced');
    await sync.flush();
    expect(store.calls).toEqual(['claim u1 1234', 'commit u1']);
  });

  it('is not asked again while the in-memory cache is fresh', async () => {
    const store = scriptedStore();
    const sync = engine({ client: new FakeClient(), store });
    await sync.identify(ada);
    await sync.identify(ada);
    expect(store.claim).toHaveBeenCalledTimes(1);
  });

  it('releases its claim after a failed send', async () => {
    const store = scriptedStore();
    const client = new FakeClient();
    client.failNext(new Error('upstream down'));
    const sync = engine({ client, store });
    await sync.identify(ada);
    await sync.flush();
    expect(store.calls).toEqual(['claim u1 60000', 'release u1']);
  });

  it('skips a user the store reports fresh, and remembers it in memory', async () => {
    const store = scriptedStore(() => 'fresh');
    const client = new FakeClient();
    const sync = engine({ client, store });
    expect(await sync.identify(ada)).toEqual({ status: 'skipped', externalId: 'u1' });
    expect((await sync.identify(ada)).status).toBe('skipped');
    expect(store.claim).toHaveBeenCalledTimes(1);
    expect(client.calls).toHaveLength(0);
  });

  it('skips a user another instance is sending, and asks again next time', async () => {
    const store = scriptedStore(() => 'busy');
    const client = new FakeClient();
    const sync = engine({ client, store });
    expect((await sync.identify(ada)).status).toBe('skipped');
    expect((await sync.identify(ada)).status).toBe('skipped');
    expect(store.claim).toHaveBeenCalledTimes(2);
    expect(client.calls).toHaveLength(0);
  });

  it('is closed by close()', async () => {
    const store = scriptedStore();
    const sync = engine({ client: new FakeClient(), store });
    await sync.close();
    expect(store.close).toHaveBeenCalledTimes(1);
  });
});

describe('a store that fails', () => {
  it.each([
    [
      'throws',
      () => ({
        ...scriptedStore(),
        claim: () => {
          throw new Error('ECONNREFUSED');
        },
      }),
    ],
    ['rejects', () => ({ ...scriptedStore(), claim: () => Promise.reject(new Error('ECONNREFUSED')) })],
    [
      'is slower than storeTimeoutMs',
      () => ({ ...scriptedStore(), claim: () => new Promise<ClaimResult>(() => {}) }),
    ],
    ['answers nonsense', () => ({ ...scriptedStore(), claim: async () => 'maybe' as ClaimResult })],
  ])('falls back to the in-memory cache when it %s, and reports it once', async (_, makeStore) => {
    const { lines, logger } = recordingLogger();
    const client = new FakeClient();
    const sync = engine({ client, store: makeStore(), storeTimeoutMs: 20, logger });
    const outcomes = await Promise.all(['a', 'b', 'c'].map((id) => sync.identify({ ...ada, id })));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['synced', 'synced', 'synced']);
    expect((await sync.identify({ ...ada, id: 'a' })).status).toBe('skipped');
    expect(lines.filter((line) => line.fields.code === 'STORE_UNAVAILABLE')).toHaveLength(1);
  });

  it('logs once when the store answers again', async () => {
    const { lines, logger } = recordingLogger();
    let down = true;
    const store = scriptedStore(() => (down ? Promise.reject(new Error('down')) : 'claimed'));
    const sync = engine({ client: new FakeClient(), store, logger });
    await sync.identify({ ...ada, id: 'a' });
    down = false;
    await sync.identify({ ...ada, id: 'b' });
    await sync.identify({ ...ada, id: 'c' });
    await settle();
    expect(lines.map((line) => line.fields.code).filter(Boolean)).toEqual([
      'STORE_UNAVAILABLE',
      'STORE_RECOVERED',
    ]);
  });

  it('never breaks construction when init throws', () => {
    const store = {
      ...scriptedStore(),
      init: () => {
        throw new Error('no redis');
      },
    };
    expect(() => engine({ client: new FakeClient(), store, logger: recordingLogger().logger })).not.toThrow();
  });
});

describe('a MemorySyncStore given as store', () => {
  it('becomes the in-memory cache itself', async () => {
    const store = new MemorySyncStore();
    const sync = engine({ client: new FakeClient(), store });
    await sync.identify(ada);
    expect(store.size).toBe(1);
  });

  it('refuses a second engine writing to another account', () => {
    const store = new MemorySyncStore();
    engine({ client: new FakeClient(), store });
    const other = Object.assign(new FakeClient(), { namespace: 'another-account' });
    expect(() => engine({ client: other, store })).toThrow(SupportDeskConfigError);
  });
});
