import { afterEach, describe, expect, it, vi } from 'vitest';
import { SupportDeskConfigError } from '../../src/errors.js';
import { MemorySyncStore } from '../../src/store/memory-store.js';
import { ada, FakeClient, manualClock, useEngines } from '../support/engines.js';

const { engine } = useEngines();

afterEach(() => {
  vi.useRealTimers();
});

describe('MemorySyncStore', () => {
  it('answers fresh for a committed fingerprint, and claimed for another', () => {
    const store = new MemorySyncStore();
    store.commit('u1', 'fp1', 60_000);
    expect(store.claim('u1', 'fp1', 1_000)).toBe('fresh');
    expect(store.claim('u1', 'fp2', 1_000)).toBe('claimed');
  });

  it('answers busy while another claim on the user is live, and claimed once its lease lapses', () => {
    const clock = manualClock();
    const store = new MemorySyncStore({ now: clock.now });
    expect(store.claim('u1', 'fp1', 1_000)).toBe('claimed');
    expect(store.claim('u1', 'fp2', 1_000)).toBe('busy');
    clock.advance(1_001);
    expect(store.claim('u1', 'fp2', 1_000)).toBe('claimed');
  });

  it('frees a claim on release by its holder only', () => {
    const store = new MemorySyncStore();
    store.claim('u1', 'fp1', 60_000);
    store.release('u1', 'other');
    expect(store.claim('u1', 'fp3', 60_000)).toBe('busy');
    store.release('u1', 'fp1');
    expect(store.claim('u1', 'fp3', 60_000)).toBe('claimed');
  });

  it('forgets a commit after its TTL, by the injected clock', () => {
    const clock = manualClock();
    const store = new MemorySyncStore({ now: clock.now });
    store.commit('u1', 'fp1', 5_000);
    clock.advance(5_000);
    expect(store.has('u1', 'fp1')).toBe(true);
    clock.advance(1);
    expect(store.has('u1', 'fp1')).toBe(false);
  });

  it('keeps at most maxEntries users, forgetting the least recently seen', () => {
    const store = new MemorySyncStore({ maxEntries: 2 });
    store.commit('a', '1', 60_000);
    store.commit('b', '1', 60_000);
    store.has('a', '1');
    store.commit('c', '1', 60_000);
    expect([store.has('a', '1'), store.has('b', '1'), store.has('c', '1')]).toEqual([true, false, true]);
    expect(store.size).toBe(2);
  });

  it('starts no timer to read or write', () => {
    vi.useFakeTimers();
    const store = new MemorySyncStore();
    store.commit('u1', 'fp1', 60_000);
    store.has('u1', 'fp1');
    store.claim('u2', 'fp1', 60_000);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('forgets everything on close', () => {
    const store = new MemorySyncStore();
    store.commit('u1', 'fp1', 60_000);
    store.close();
    expect(store.size).toBe(0);
  });

  it('serves one account: init with another namespace throws', () => {
    const store = new MemorySyncStore();
    store.init({ namespace: 'a' });
    store.init({ namespace: 'a' });
    expect(() => store.init({ namespace: 'b' })).toThrow(SupportDeskConfigError);
  });

  it.each([{ maxEntries: 0 }, { ttlMs: -1 }, { maxEntries: 1.5 }, { maxEntries: 10_000_001 }, { now: 5 }])(
    'refuses %j',
    (options) => {
      expect(() => new MemorySyncStore(options as never)).toThrow(SupportDeskConfigError);
    },
  );
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
