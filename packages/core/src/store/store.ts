/**
 * What {@link SyncStore.claim} decided:
 * - `claimed`: the caller must send this payload, then call `commit` on success or `release`
 *   on failure;
 * - `fresh`: this exact payload was synced less than `ttlMs` ago: nothing to send;
 * - `busy`: another holder (another instance of the app) is sending this payload right now.
 */
export type ClaimResult = 'claimed' | 'fresh' | 'busy';

/**
 * Why every instance sharing a store stops sending for a while: `rate-limit` after a 429
 * (until its `Retry-After`), `auth` after a 401 or 403 (the key is refused for every user).
 */
export type SendingHoldReason = 'rate-limit' | 'auth';

/** The holds in force now, as milliseconds left by the store's own clock (0 when none). */
export interface SendingHolds {
  rateLimitMs: number;
  authMs: number;
}

/** What the engine tells a store once, before its first call. */
export interface SyncStoreContext {
  /**
   * A short, stable name for the SupportDesk account the engine writes to (a hash, never the
   * API key itself). A shared store puts it in every key, so apps on different accounts can
   * share one Redis without mixing their users. One store object serves one account: give each
   * engine with another key its own store.
   */
  namespace: string;
}

/**
 * Where the engine remembers which users it has synced, and with which payload. The default
 * is the in-memory LRU ({@link MemorySyncStore}); a shared store (`RedisSyncStore` in
 * `@supportdesk/redis`) lets every instance of an app share one dedupe.
 *
 * A `fingerprint` is an opaque string that changes whenever the mapped payload does. Methods
 * may answer synchronously (the in-memory store does, so the fast path allocates no promise)
 * or with a promise. A store should not throw: the engine treats a throw or rejection as the
 * store being unavailable and falls back to its in-memory cache.
 */
export interface SyncStore {
  /**
   * Called once by the engine that uses this store, before any other method. A store that is not
   * ready yet (a client still connecting at boot) may return a promise that resolves once it is:
   * the engine's calls wait for it, for up to 10 s, and the wait is not reported as an outage.
   * A rejection, or no answer by then, is.
   */
  init?(context: SyncStoreContext): void | Promise<void>;
  /**
   * Whether `fingerprint` was committed for `externalId` less than its TTL ago, answered
   * synchronously. Only a store local to this process implements it (the in-memory
   * {@link MemorySyncStore} does): the engine then reads it on every identify as its cache, and
   * never claims. A store without it is shared (Redis): the engine keeps its own in-memory cache
   * in front of it and claims before each upsert.
   */
  has?(externalId: string, fingerprint: string): boolean;
  /**
   * Decide whether the caller should send `fingerprint` for `externalId`. A shared store must
   * decide atomically, so of many instances claiming at once exactly one gets `claimed`; its
   * claim lapses on its own after `leaseMs` if neither `commit` nor `release` follows.
   */
  claim(externalId: string, fingerprint: string, leaseMs: number): ClaimResult | Promise<ClaimResult>;
  /** Record that `fingerprint` reached SupportDesk; `fresh` for it until `ttlMs` from now. */
  commit(externalId: string, fingerprint: string, ttlMs: number): void | Promise<void>;
  /** Give up a claim after a failed send, so a later request tries again. */
  release(externalId: string, fingerprint: string): void | Promise<void>;
  /** Release what the store holds. The engine calls it from `close()`. */
  close?(): void | Promise<void>;
  /**
   * Optional, for shared stores: stop every instance sharing this store from sending for
   * `durationMs`, because one of them was rate limited or had its key refused (the limit and the
   * key belong to the account, not to an instance). Must never shorten a longer hold of the same
   * reason already in force, and should measure time by one clock for all instances (Redis's).
   */
  holdSending?(reason: SendingHoldReason, durationMs: number): void | Promise<void>;
  /**
   * Optional, with {@link holdSending}: the holds in force now. The engine asks before it sends,
   * only while it knows of no hold itself, so an instance that is held asks nothing.
   */
  sendingHeld?(): SendingHolds | Promise<SendingHolds>;
}

/** A store local to this process: it answers {@link SyncStore.has} synchronously, and every other method too. */
export type LocalStore = SyncStore & Pick<Required<SyncStore>, 'has'>;

/** Whether `store` is local to this process (see {@link SyncStore.has}). */
export const isLocalStore = (store: SyncStore): store is LocalStore => typeof store.has === 'function';
