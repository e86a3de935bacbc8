import { randomUUID } from 'node:crypto';
import {
  type ClaimResult,
  type SendingHoldReason,
  type SendingHolds,
  SupportDeskConfigError,
  SupportDeskConnectionError,
  SupportDeskError,
  SupportDeskErrorCode,
  type SyncStore,
  type SyncStoreContext,
} from '@supportdesk/core';
import { withTimeout } from '@supportdesk/core/internal';
import { holdKey, keyBase, userKey } from './keys.js';
import { type RedisSyncStoreOptions, resolveOptions, type StoreClient } from './options.js';
import {
  claimScript,
  commitScript,
  holdScript,
  holdsScript,
  type LuaScript,
  releaseScript,
  runScript,
} from './scripts.js';

/** The namespace of keys written before (or without) an engine's `init`. */
const DEFAULT_NAMESPACE = 'default';
/** Longest TTL or lease the store asks Redis for (ten years), so a huge or infinite value stays valid for PEXPIRE. */
const MAX_DURATION_MS = 10 * 365 * 24 * 60 * 60 * 1000;

/** PX takes a positive integer: round up, and clamp what Redis or Lua could not take. */
function durationMs(ms: number): number {
  if (Number.isNaN(ms)) return 1;
  return Math.min(MAX_DURATION_MS, Math.max(1, Math.ceil(ms)));
}

function isClaimResult(value: unknown): value is ClaimResult {
  return value === 'claimed' || value === 'fresh' || value === 'busy';
}

/** ioredis statuses on the way to `ready` at start-up. */
const CONNECTING: ReadonlySet<string> = new Set(['connecting', 'connect', 'reconnecting']);

type Operation = 'claim' | 'commit' | 'release' | 'holdSending' | 'sendingHeld';

/**
 * A {@link SyncStore} on a Redis server, shared by every instance of an app: of many instances
 * identifying one user at once, exactly one sends the upsert, and a synced user is not sent
 * again by any instance until its payload changes or `ttlMs` passes.
 *
 * Each user is one Redis hash at `${prefix}:${namespace}:${externalId}` that Redis expires by
 * itself. Every decision is one Lua script, so claims are atomic. Every call is bounded by
 * `timeoutMs` and fails at once while the client is not `ready`; the engine then answers from
 * its in-memory cache, so a slow or absent Redis never holds up a request.
 *
 * @example
 * import { CustomerSync } from '@supportdesk/core';
 * import { RedisSyncStore } from '@supportdesk/redis';
 * import { Redis } from 'ioredis';
 *
 * const redis = new Redis(process.env.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
 * const sync = new CustomerSync({ mapUser, store: new RedisSyncStore({ client: redis }) });
 */
export class RedisSyncStore implements SyncStore {
  readonly #client: StoreClient;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  /** Tells this store's leases from those of other instances. */
  readonly #owner = randomUUID();
  #namespace: string | undefined;
  #base: string;
  #closed = false;
  #conflict: SupportDeskConfigError | undefined;

  /** @throws {SupportDeskConfigError} when `client` is not an ioredis client or an option is invalid. */
  constructor(options: RedisSyncStoreOptions) {
    const resolved = resolveOptions(options);
    this.#client = resolved.client;
    this.#prefix = resolved.prefix;
    this.#timeoutMs = resolved.timeoutMs;
    this.#base = keyBase(this.#prefix, DEFAULT_NAMESPACE);
  }

  /**
   * Takes the engine's namespace, so engines with different API keys never share keys.
   * @throws {SupportDeskConfigError} when a second engine brings another namespace: a store
   * serves one engine (several stores may share one client). From then on every call rejects,
   * since the store cannot tell the two engines' calls apart and must not mix their users.
   */
  init(context: SyncStoreContext): void | Promise<void> {
    if (this.#namespace !== undefined && this.#namespace !== context.namespace) {
      this.#conflict = new SupportDeskConfigError(
        'RedisSyncStore: two engines with different SupportDesk API keys share this store; create one RedisSyncStore per engine (they can share one ioredis client)',
      );
      throw this.#conflict;
    }
    this.#namespace = context.namespace;
    this.#base = keyBase(this.#prefix, context.namespace);
    return this.#firstConnection();
  }

  /**
   * An engine built right after `new Redis(url)` meets a client still connecting. That is a boot,
   * not an outage: answer a promise that resolves once the client is `ready`, so the engine holds
   * its first claims until then (bounded on its side) instead of reporting the store down and
   * letting every instance send every user. A client that is already ready, or has ended, or
   * waits for a `connect()` no one may call (lazyConnect), is answered at once.
   */
  #firstConnection(): Promise<void> | undefined {
    const client = this.#client;
    if (!CONNECTING.has(client.status)) return undefined;
    return new Promise<void>((resolve, reject) => {
      const ready = () => {
        client.off('end', ended);
        resolve();
      };
      const ended = () => {
        client.off('ready', ready);
        reject(new SupportDeskConnectionError('Redis store: the Redis client ended before it was ready'));
      };
      client.once('ready', ready);
      client.once('end', ended);
    });
  }

  /** Atomically answers `fresh`, `busy`, or takes a lease of `leaseMs` and answers `claimed`. */
  async claim(externalId: string, fingerprint: string, leaseMs: number): Promise<ClaimResult> {
    const reply = await this.#run('claim', claimScript, this.#userKey(externalId), externalId, [
      fingerprint,
      durationMs(leaseMs),
      this.#owner,
    ]);
    if (isClaimResult(reply)) return reply;
    throw new SupportDeskConnectionError('Redis store: unexpected reply to claim', { externalId });
  }

  /** Records `fingerprint` as synced for `ttlMs` (Redis expires it) and drops this store's lease. */
  async commit(externalId: string, fingerprint: string, ttlMs: number): Promise<void> {
    const args = [fingerprint, durationMs(ttlMs), this.#owner];
    await this.#run('commit', commitScript, this.#userKey(externalId), externalId, args);
  }

  /** Drops this store's lease on `externalId` if it still holds it for `fingerprint`. */
  async release(externalId: string, fingerprint: string): Promise<void> {
    const args = [fingerprint, this.#owner];
    await this.#run('release', releaseScript, this.#userKey(externalId), externalId, args);
  }

  /**
   * Holds every instance sharing this store (same prefix and account) for `durationMs`, by
   * Redis's clock: the engine calls it after a 429 (`rate-limit`) or a 401/403 (`auth`).
   */
  async holdSending(reason: SendingHoldReason, forMs: number): Promise<void> {
    await this.#run('holdSending', holdScript, holdKey(this.#base), undefined, [reason, durationMs(forMs)]);
  }

  /** The holds in force for this store's account, in milliseconds left by Redis's clock. */
  async sendingHeld(): Promise<SendingHolds> {
    const reply = await this.#run('sendingHeld', holdsScript, holdKey(this.#base), undefined, []);
    if (Array.isArray(reply) && reply.length === 2 && reply.every((value) => typeof value === 'number'))
      return { rateLimitMs: reply[0] as number, authMs: reply[1] as number };
    throw new SupportDeskConnectionError('Redis store: unexpected reply to sendingHeld');
  }

  #userKey(externalId: string): string {
    return userKey(this.#base, externalId);
  }

  /** Stops using Redis. The client is left open: it belongs to the caller, who quits it. */
  close(): void {
    this.#closed = true;
  }

  #run(
    operation: Operation,
    lua: LuaScript,
    key: string,
    externalId: string | undefined,
    args: (string | number)[],
  ): Promise<unknown> {
    if (this.#conflict !== undefined) return Promise.reject(this.#conflict);
    if (this.#closed) {
      return Promise.reject(
        new SupportDeskError(`Redis store: ${operation} after close()`, {
          code: SupportDeskErrorCode.CLOSED,
          externalId,
        }),
      );
    }
    const status = this.#client.status;
    // Only a ready client answers promptly: otherwise ioredis would queue the command
    // (unbounded while Redis is down) or start a connection the user did not ask for.
    if (status !== 'ready') {
      return Promise.reject(
        new SupportDeskConnectionError(`Redis store: the Redis client is ${status}, not ready`, {
          externalId,
        }),
      );
    }
    const work = runScript(this.#client, lua, key, args).catch((cause: unknown) => {
      throw new SupportDeskConnectionError(`Redis store: ${operation} failed: ${describe(cause)}`, {
        externalId,
        cause,
      });
    });
    return withTimeout(
      work,
      this.#timeoutMs,
      () =>
        new SupportDeskConnectionError(`Redis store: ${operation} took longer than ${this.#timeoutMs} ms`, {
          code: SupportDeskErrorCode.TIMEOUT,
          externalId,
        }),
    );
  }
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
