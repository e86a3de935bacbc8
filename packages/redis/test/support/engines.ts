import { CustomerSync, type Logger } from '@supportdesk/core';
import type { Redis } from 'ioredis';
import { RedisSyncStore } from '../../src/index.js';

export const API_KEY = 'sk_test_redis_store';

/** Log lines an engine wrote, so tests can count the store reports. */
export interface LogLine {
  level: keyof Logger;
  fields: Record<string, unknown>;
  message: string;
}

export interface TestUser {
  id: string;
  email: string;
  name: string;
  plan: string;
}

export function makeUsers(count: number, prefix = 'user', plan = 'free'): TestUser[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}_${i}`,
    email: `${prefix}_${i}@example.com`,
    name: `User ${i}`,
    plan,
  }));
}

export interface TestEngine {
  sync: CustomerSync<TestUser>;
  lines: LogLine[];
  /** How many times this engine said the store was unavailable. */
  unavailableReports(): number;
}

/**
 * Generous time limits: these tests count upserts, and on a loaded CI machine a store call slower
 * than the defaults would fall back to memory and send twice. Timeouts have their own tests.
 */
export const STORE_TIMEOUT_MS = 2_000;
export const ENGINE_STORE_TIMEOUT_MS = 3_000;

/** One app instance: an engine on its own RedisSyncStore over the given client. */
export function createEngine(
  baseUrl: string,
  client: Redis,
  options: { ttlMs?: number; maxRetries?: number } = {},
): TestEngine {
  const lines: LogLine[] = [];
  const record =
    (level: keyof Logger) =>
    (fields: Record<string, unknown>, message: string): void => {
      lines.push({ level, fields, message });
    };
  const logger: Logger = {
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
  };
  const sync = new CustomerSync<TestUser>({
    apiKey: API_KEY,
    baseUrl,
    maxRetries: options.maxRetries ?? 0,
    ttlMs: options.ttlMs,
    mapUser: (user) => ({
      externalId: user.id,
      email: user.email,
      name: user.name,
      metadata: { plan: user.plan },
    }),
    store: new RedisSyncStore({ client, timeoutMs: STORE_TIMEOUT_MS }),
    storeTimeoutMs: ENGINE_STORE_TIMEOUT_MS,
    logger,
    flushOnExit: false,
  });
  return {
    sync,
    lines,
    unavailableReports: () => lines.filter((line) => line.fields.code === 'STORE_UNAVAILABLE').length,
  };
}

/** Every engine identifies every user, all at once, then waits for what it sent. */
export async function identifyEverywhere(engines: readonly TestEngine[], users: readonly TestUser[]) {
  const outcomes = await Promise.all(engines.flatMap(({ sync }) => users.map((user) => sync.identify(user))));
  await Promise.all(engines.map(({ sync }) => sync.flush()));
  return outcomes;
}
