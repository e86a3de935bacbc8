import { LRUCache } from 'lru-cache';
import { configObject, func, integer, parseConfig } from '../config.js';
import { SupportDeskConfigError } from '../errors.js';
import type { ClaimResult, LocalStore, SyncStoreContext } from './store.js';

/** Options of {@link MemorySyncStore}. */
export interface MemorySyncStoreOptions {
  /**
   * How many users it remembers, at most 10,000,000; the least recently seen are forgotten first.
   * @default 10_000
   */
  maxEntries?: number | undefined;
  /**
   * How long a committed payload stays fresh when `commit` is not given a TTL.
   * @default 3_600_000 (one hour)
   */
  ttlMs?: number | undefined;
  /**
   * The clock, in milliseconds. Inject one in tests.
   * @default performance.now
   */
  now?: (() => number) | undefined;
}

interface Lease {
  fingerprint: string;
  expiresAt: number;
}

/** Claims are short-lived and few (one per upsert in flight), so a small bound is plenty. */
const MAX_LEASES = 1_024;

const MEMORY_STORE_DEFAULTS = { maxEntries: 10_000, ttlMs: 3_600_000 } as const;

/** lru-cache allocates its index for every slot up front: past this, seconds and gigabytes at start-up. */
export const MAX_ENTRIES = 10_000_000;

const optionsSchema = configObject(
  {
    maxEntries: integer('maxEntries', {
      min: 1,
      max: MAX_ENTRIES,
      fallback: MEMORY_STORE_DEFAULTS.maxEntries,
    }),
    ttlMs: integer('ttlMs', { min: 1, unit: ' ms', fallback: MEMORY_STORE_DEFAULTS.ttlMs }),
    now: func<() => number>('now', 'returning milliseconds').optional(),
  },
  'MemorySyncStoreOptions',
);

/**
 * The default {@link SyncStore}: an in-process LRU (`lru-cache`) of the fingerprint each user
 * was last synced with. Every method answers synchronously, so the engine's fast path needs no
 * promise. It serves one SupportDesk account: give each engine with its own key its own store.
 *
 * @example
 * const store = new MemorySyncStore({ maxEntries: 50_000, ttlMs: 30 * 60_000 });
 * const sync = new CustomerSync({ apiKey, store });
 */
export class MemorySyncStore implements LocalStore {
  readonly #synced: LRUCache<string, string>;
  readonly #now: () => number;
  readonly #ttlMs: number;
  #leases: Map<string, Lease> | undefined;
  #namespace: string | undefined;

  /** @throws {SupportDeskConfigError} when an option is invalid. */
  constructor(options?: MemorySyncStoreOptions) {
    const {
      maxEntries: max,
      ttlMs,
      now = () => performance.now(),
    } = parseConfig('new MemorySyncStore', optionsSchema, options, MEMORY_STORE_DEFAULTS);
    this.#ttlMs = ttlMs;
    this.#now = now;
    // ttlResolution 0: lru-cache would otherwise cache the time behind a timer on every read.
    this.#synced = new LRUCache<string, string>({ max, ttl: this.#ttlMs, ttlResolution: 0, perf: { now } });
  }

  /** How many users it remembers right now (expired ones may still count until they are read). */
  get size(): number {
    return this.#synced.size;
  }

  /** Binds the store to one account; a second engine with another account is refused. */
  init(context: SyncStoreContext): void {
    if (this.#namespace !== undefined && this.#namespace !== context.namespace)
      throw new SupportDeskConfigError(
        'This MemorySyncStore already serves another SupportDesk account: give each CustomerSync its own store',
      );
    this.#namespace = context.namespace;
  }

  /** Whether `fingerprint` was committed for `externalId` less than its TTL ago. Synchronous and allocation-free. */
  has(externalId: string, fingerprint: string): boolean {
    return this.#synced.get(externalId) === fingerprint;
  }

  /** `fresh` when committed and unexpired, `busy` while another claim on the user is live, else `claimed` (a lease of `leaseMs`). */
  claim(externalId: string, fingerprint: string, leaseMs: number): ClaimResult {
    if (this.has(externalId, fingerprint)) return 'fresh';
    const now = this.#now();
    this.#leases ??= new Map();
    const leases = this.#leases;
    const lease = leases.get(externalId);
    if (lease !== undefined && lease.expiresAt > now) return 'busy';
    if (lease === undefined && leases.size >= MAX_LEASES) this.#evictLease(now);
    leases.set(externalId, { fingerprint, expiresAt: now + leaseMs });
    return 'claimed';
  }

  /** Records `fingerprint` as synced for `ttlMs` and ends the claim. */
  commit(externalId: string, fingerprint: string, ttlMs: number = this.#ttlMs): void {
    this.#synced.set(externalId, fingerprint, { ttl: ttlMs });
    this.#leases?.delete(externalId);
  }

  /** Ends the claim on `externalId`, if `fingerprint` holds it. */
  release(externalId: string, fingerprint: string): void {
    if (this.#leases?.get(externalId)?.fingerprint === fingerprint) this.#leases.delete(externalId);
  }

  /** Forgets everything. */
  close(): void {
    this.#synced.clear();
    this.#leases = undefined;
  }

  #evictLease(now: number): void {
    const leases = this.#leases;
    if (leases === undefined) return;
    for (const [externalId, lease] of leases) if (lease.expiresAt <= now) leases.delete(externalId);
    // Still full of live leases: forget the oldest, whose holder is the likeliest to be gone.
    if (leases.size >= MAX_LEASES) {
      const oldest = leases.keys().next();
      if (!oldest.done) leases.delete(oldest.value);
    }
  }
}
