import { describe, expect, it } from 'vitest';
import { resolveSyncOptions, SYNC_DEFAULTS } from '../../src/engine/options.js';
import { SupportDeskConfigError } from '../../src/errors.js';

const client = { upsertCustomer: async () => ({}) as never };
const store = { claim: () => 'claimed' as const, commit: () => {}, release: () => {} };

describe('resolveSyncOptions', () => {
  it('fills in the documented defaults', () => {
    expect(resolveSyncOptions({ client })).toMatchObject({
      ...SYNC_DEFAULTS,
      ttlMs: 3_600_000,
      maxEntries: 10_000,
      concurrency: 4,
      maxQueueSize: 1_000,
      enabled: true,
      storeLeaseMs: 60_000,
    });
  });

  it('treats an undefined option as not given', () => {
    expect(resolveSyncOptions({ client, ttlMs: undefined, concurrency: undefined })).toMatchObject({
      ttlMs: 3_600_000,
      concurrency: 4,
    });
  });

  it('derives the store lease from the client timeout and retries', () => {
    expect(resolveSyncOptions({ timeoutMs: 1_000, maxRetries: 4 }).storeLeaseMs).toBe(10_000);
  });

  it.each([
    [{ ttlMs: 0 }, 'new CustomerSync: ttlMs must be an integer of at least 1 ms (got 0)'],
    [{ ttlMs: '1h' }, 'ttlMs must be an integer of at least 1 ms (got "1h")'],
    [{ maxEntries: 1.5 }, 'maxEntries must be an integer from 1 to 10000000 (got 1.5)'],
    [{ maxEntries: 1e9 }, 'maxEntries must be an integer from 1 to 10000000 (got 1000000000)'],
    [{ concurrency: 0 }, 'concurrency must be an integer of at least 1 (got 0)'],
    [{ maxQueueSize: -1 }, 'maxQueueSize must be an integer of at least 1 (got -1)'],
    [{ failureCooldownMs: -5 }, 'failureCooldownMs must be an integer of at least 0 ms (got -5)'],
    [{ storeTimeoutMs: Number.NaN }, 'storeTimeoutMs must be an integer from 1 to 2147483647 ms (got NaN)'],
    [{ mapUser: 'id' }, 'mapUser must be a function'],
    [{ onError: {} }, 'onError must be a function'],
    [
      { logger: { warn: 'loud' } },
      'logger must be an object whose debug, info, warn and error are functions',
    ],
    [{ store: {} }, 'store must be a SyncStore (claim, commit and release functions)'],
    [{ client: {} }, 'client must be a SupportDeskClient'],
    [{ enabled: 'yes' }, 'enabled must be true or false'],
    [{ ttl: 5 }, 'unknown option "ttl"'],
    [{ client, apiKey: 'k' }, 'give either client or apiKey'],
  ])('refuses %j with a message that says how to fix it', (options, message) => {
    expect(() => resolveSyncOptions(options as never)).toThrow(SupportDeskConfigError);
    expect(() => resolveSyncOptions(options as never)).toThrow(message);
  });

  it('accepts the largest maxEntries, 10,000,000', () => {
    expect(resolveSyncOptions({ client, maxEntries: 10_000_000 }).maxEntries).toBe(10_000_000);
  });

  it.each([null, 'options', [1]])('refuses %j as the options object', (options) => {
    expect(() => resolveSyncOptions(options as never)).toThrow(SupportDeskConfigError);
  });

  it('accepts a store, hooks and a partial logger', () => {
    expect(() =>
      resolveSyncOptions({
        client,
        store,
        onError: () => {},
        onSync: () => {},
        logger: { warn: () => {} } as never,
      }),
    ).not.toThrow();
  });
});
