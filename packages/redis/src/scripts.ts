import { createHash } from 'node:crypto';

/**
 * One user's state is one Redis hash, so every decision touches a single key (safe on Redis
 * Cluster) and is made atomically inside a script:
 * - `c` / `ce`: the committed fingerprint and until when it is fresh;
 * - `l` / `lf` / `le`: the lease holder's token, the fingerprint it is sending, and until when.
 * Times come from the Redis server's own clock (`TIME`), so instances with skewed clocks agree.
 * The key's PEXPIRE always covers whichever of the two lasts longer, so Redis drops it by itself.
 */
const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** KEYS[1] user key; ARGV fingerprint, leaseMs, owner token. Answers claimed | fresh | busy. */
const CLAIM = `${NOW}
local key = KEYS[1]
local s = redis.call('HMGET', key, 'c', 'ce', 'l', 'le')
local committedUntil = tonumber(s[2]) or 0
if s[1] == ARGV[1] and committedUntil > now then return 'fresh' end
if s[3] and s[3] ~= ARGV[3] and (tonumber(s[4]) or 0) > now then return 'busy' end
local leaseMs = tonumber(ARGV[2])
redis.call('HSET', key, 'l', ARGV[3], 'lf', ARGV[1], 'le', now + leaseMs)
local life = leaseMs
if committedUntil > now then
  if committedUntil - now > life then life = committedUntil - now end
else
  redis.call('HDEL', key, 'c', 'ce')
end
redis.call('PEXPIRE', key, life)
return 'claimed'
`;

/**
 * KEYS[1] user key; ARGV fingerprint, ttlMs, owner token. Records the fingerprint and drops the
 * caller's own lease; a live lease of another holder stays, so its claim keeps protecting it.
 */
const COMMIT = `${NOW}
local key = KEYS[1]
local ttl = tonumber(ARGV[2])
local s = redis.call('HMGET', key, 'l', 'lf', 'le')
local leaseUntil = tonumber(s[3]) or 0
local life = ttl
local own = s[1] == ARGV[3] and s[2] == ARGV[1]
if s[1] and not own and leaseUntil > now then
  if leaseUntil - now > life then life = leaseUntil - now end
else
  redis.call('HDEL', key, 'l', 'lf', 'le')
end
redis.call('HSET', key, 'c', ARGV[1], 'ce', now + ttl)
redis.call('PEXPIRE', key, life)
return 1
`;

/** KEYS[1] user key; ARGV fingerprint, owner token. Drops the lease only if the caller holds it. */
const RELEASE = `${NOW}
local key = KEYS[1]
local s = redis.call('HMGET', key, 'l', 'lf', 'ce')
if s[1] ~= ARGV[2] or s[2] ~= ARGV[1] then return 0 end
redis.call('HDEL', key, 'l', 'lf', 'le')
local committedUntil = tonumber(s[3]) or 0
if committedUntil > now then
  redis.call('PEXPIRE', key, committedUntil - now)
else
  redis.call('DEL', key)
end
return 1
`;

/**
 * KEYS[1] the store's hold key (a hash of reason → until, by Redis's clock); ARGV reason,
 * durationMs. Extends the hold of that reason to now + durationMs unless it already lasts
 * longer, and keeps the key alive as long as its longest hold.
 */
const HOLD = `${NOW}
local key = KEYS[1]
local untilMs = now + tonumber(ARGV[2])
local current = tonumber(redis.call('HGET', key, ARGV[1])) or 0
if current < untilMs then redis.call('HSET', key, ARGV[1], untilMs) end
local last = 0
for _, value in ipairs(redis.call('HVALS', key)) do
  local v = tonumber(value) or 0
  if v > last then last = v end
end
if last > now then redis.call('PEXPIRE', key, last - now) else redis.call('DEL', key) end
return 1
`;

/** KEYS[1] the hold key. Answers { rate-limit ms left, auth ms left }, 0 for none, by Redis's clock. */
const HOLDS = `${NOW}
local s = redis.call('HMGET', KEYS[1], 'rate-limit', 'auth')
local function left(value)
  local v = (tonumber(value) or 0) - now
  if v > 0 then return v end
  return 0
end
return { left(s[1]), left(s[2]) }
`;

/** A Lua script and its SHA1, for EVALSHA. */
export interface LuaScript {
  readonly source: string;
  readonly sha1: string;
}

function script(source: string): LuaScript {
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}

/** Answers `claimed`, `fresh` or `busy`, taking a lease on `claimed`. */
export const claimScript = script(CLAIM);
/** Records a synced fingerprint and drops the caller's lease. */
export const commitScript = script(COMMIT);
/** Drops the caller's lease, keeping a committed fingerprint. */
export const releaseScript = script(RELEASE);
/** Holds every instance of the store's namespace for a while (429 or 401/403 seen by one). */
export const holdScript = script(HOLD);
/** Reads the holds in force, in ms left by Redis's clock. */
export const holdsScript = script(HOLDS);

/** The two ioredis commands the store uses; both `Redis` and `Cluster` have them. */
export interface ScriptClient {
  evalsha(sha1: string, numKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
  eval(source: string, numKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * Runs `lua` on one key by SHA1 and, when Redis does not know it (first use, restart, SCRIPT
 * FLUSH), once by source, which also caches it. The store never calls `defineCommand`: the
 * client belongs to the user and stays as they configured it.
 */
export async function runScript(
  client: ScriptClient,
  lua: LuaScript,
  key: string,
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await client.evalsha(lua.sha1, 1, key, ...args);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return client.eval(lua.source, 1, key, ...args);
  }
}
