import { describe, expect, it } from 'vitest';
import type { ClaimResult } from '../../src/store/store.js';
import { ada, FakeClient, recordingLogger, scriptedStore, settle, useEngines } from '../support/engines.js';

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
