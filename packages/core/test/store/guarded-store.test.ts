import { describe, expect, it } from 'vitest';
import type { ClaimResult } from '../../src/store/store.js';
import {
  ada,
  FakeClient,
  manualClock,
  recordingLogger,
  scriptedStore,
  settle,
  useEngines,
} from '../support/engines.js';

const { engine } = useEngines();

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

describe('reporting outages', () => {
  const codes = (lines: { fields: Record<string, unknown> }[]) =>
    lines
      .map((line) => line.fields.code)
      .filter((code) => typeof code === 'string' && code.startsWith('STORE'));

  it('reports a store that flaps once per reportIntervalMs, not once per flap', async () => {
    const clock = manualClock();
    const { lines, logger } = recordingLogger();
    let calls = 0;
    const store = scriptedStore(() => (calls++ % 2 === 0 ? Promise.reject(new Error('paused')) : 'claimed'));
    const sync = engine({
      client: new FakeClient(),
      store,
      logger,
      now: clock.now,
      reportIntervalMs: 60_000,
    });
    for (let i = 0; i < 8; i++) await sync.identify({ ...ada, id: `u${i}` });
    expect(codes(lines)).toEqual(['STORE_UNAVAILABLE', 'STORE_RECOVERED']);

    clock.advance(60_000);
    for (let i = 8; i < 12; i++) await sync.identify({ ...ada, id: `u${i}` });
    expect(codes(lines)).toEqual([
      'STORE_UNAVAILABLE',
      'STORE_RECOVERED',
      'STORE_UNAVAILABLE',
      'STORE_RECOVERED',
    ]);
    const outages = lines.filter((line) => line.fields.code === 'STORE_UNAVAILABLE');
    expect(outages.at(-1)?.message).toContain('(3 brief outage(s) since the last report)');
  });

  it('reports an outage that lasts, once the interval after a brief one has passed', async () => {
    const clock = manualClock();
    const { lines, logger } = recordingLogger();
    let down = true;
    const store = scriptedStore(() => (down ? Promise.reject(new Error('down')) : 'claimed'));
    const sync = engine({
      client: new FakeClient(),
      store,
      logger,
      now: clock.now,
      reportIntervalMs: 60_000,
    });
    await sync.identify({ ...ada, id: 'a' });
    down = false;
    await sync.identify({ ...ada, id: 'b' });
    down = true;
    await sync.identify({ ...ada, id: 'c' });
    expect(codes(lines)).toEqual(['STORE_UNAVAILABLE', 'STORE_RECOVERED']);
    clock.advance(60_000);
    await sync.identify({ ...ada, id: 'd' });
    expect(codes(lines)).toEqual(['STORE_UNAVAILABLE', 'STORE_RECOVERED', 'STORE_UNAVAILABLE']);
  });
});

describe('a store still getting ready at start-up', () => {
  it('holds the first claims until init resolves, without reporting an outage', async () => {
    const { lines, logger } = recordingLogger();
    let ready: () => void = () => {};
    const store = { ...scriptedStore(), init: () => new Promise<void>((resolve) => (ready = resolve)) };
    const client = new FakeClient();
    const sync = engine({ client, store, logger, storeTimeoutMs: 20 });
    const outcome = sync.identify(ada);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(store.claim).not.toHaveBeenCalled();
    expect(client.calls).toHaveLength(0);
    ready();
    expect(await outcome).toMatchObject({ status: 'synced' });
    expect(store.claim).toHaveBeenCalledTimes(1);
    expect(lines.filter((line) => line.fields.code === 'STORE_UNAVAILABLE')).toEqual([]);
  });

  it('reports an outage once, and goes on without the store, when init rejects', async () => {
    const { lines, logger } = recordingLogger();
    const store = { ...scriptedStore(), init: () => Promise.reject(new Error('ECONNREFUSED')) };
    const sync = engine({ client: new FakeClient(), store, logger });
    expect(await sync.identify(ada)).toMatchObject({ status: 'synced' });
    expect(lines.filter((line) => line.fields.code === 'STORE_UNAVAILABLE')).toHaveLength(1);
  });
});
