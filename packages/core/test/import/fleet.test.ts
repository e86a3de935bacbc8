import { type Emulator, startEmulator } from '@supportdesk/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SupportDeskAuthError } from '../../src/errors.js';
import { type ImportAuthError, importCustomers } from '../../src/import/import-customers.js';
import type { ImportProgress } from '../../src/import/progress.js';
import { MemorySyncStore } from '../../src/store/memory-store.js';
import type { SendingHoldReason, SendingHolds, SyncStore } from '../../src/store/store.js';
import { failOnUnhandledRejections } from '../support/engines.js';

failOnUnhandledRejections();

const API_KEY = 'sk_live_import_fleet_0123456789';

/**
 * A store shared by "instances" in one process: the in-memory dedupe plus the holds a shared
 * store (RedisSyncStore) keeps, by one clock, as holdSending/sendingHeld describe them.
 */
class HoldingStore implements SyncStore {
  readonly announced: { reason: SendingHoldReason; durationMs: number }[] = [];
  readonly #dedupe = new MemorySyncStore();
  readonly #until = { 'rate-limit': 0, auth: 0 };

  claim(externalId: string, fingerprint: string, leaseMs: number) {
    return this.#dedupe.claim(externalId, fingerprint, leaseMs);
  }
  commit(externalId: string, fingerprint: string, ttlMs: number) {
    this.#dedupe.commit(externalId, fingerprint, ttlMs);
  }
  release(externalId: string, fingerprint: string) {
    this.#dedupe.release(externalId, fingerprint);
  }
  async holdSending(reason: SendingHoldReason, durationMs: number) {
    this.announced.push({ reason, durationMs });
    this.#until[reason] = Math.max(this.#until[reason], Date.now() + durationMs);
  }
  async sendingHeld(): Promise<SendingHolds> {
    const left = (until: number) => Math.max(0, until - Date.now());
    return { rateLimitMs: left(this.#until['rate-limit']), authMs: left(this.#until.auth) };
  }
}

const rows = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ id: `u${i}`, name: `User ${i}`, email: `u${i}@example.com` }));

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterEach(() => emulator.reset());
afterAll(() => emulator.close());

const run = (store: SyncStore, onProgress?: (p: ImportProgress) => void) =>
  importCustomers(rows(10), { apiKey: API_KEY, baseUrl: emulator.baseUrl, store, onProgress });

describe('importCustomers with a store shared by many instances', () => {
  it('holds every instance sharing the store when it meets a 429', async () => {
    const store = new HoldingStore();
    emulator.inject({ status: 429, retryAfter: 1, times: 1 });
    expect(await run(store)).toMatchObject({ created: 10, failed: 0 });
    expect(store.announced).toEqual([{ reason: 'rate-limit', durationMs: 1_000 }]);
  });

  it('waits out a 429 hold another instance set, then sends every row', async () => {
    const store = new HoldingStore();
    await store.holdSending('rate-limit', 300);
    const progress: ImportProgress[] = [];
    expect(await run(store, (p) => progress.push(p))).toMatchObject({ created: 10 });
    expect(progress[0]).toMatchObject({ paused: true, completed: 0 });
  });

  it('stops with SupportDeskAuthError, sending nothing, when another instance had the key refused', async () => {
    const store = new HoldingStore();
    await store.holdSending('auth', 60_000);
    const error = (await run(store).catch((caught: unknown) => caught)) as ImportAuthError;
    expect(error).toBeInstanceOf(SupportDeskAuthError);
    expect(error.summary).toMatchObject({ completed: 0, created: 0 });
    expect(emulator.requestCount).toBe(0);
  });

  it('tells the other instances when SupportDesk refuses the key', async () => {
    const store = new HoldingStore();
    emulator.inject({ status: 403 });
    await expect(run(store)).rejects.toThrow(SupportDeskAuthError);
    expect(store.announced).toEqual([{ reason: 'auth', durationMs: 300_000 }]);
  });

  it('counts users the shared store already has with the same payload as unchanged', async () => {
    const store = new HoldingStore();
    await run(store);
    expect(await run(store)).toMatchObject({ unchanged: 10, created: 0, updated: 0 });
  });
});
