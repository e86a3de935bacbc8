import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Emulator, startEmulator } from '@supportdesk/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectClient } from './support/clients.js';
import { API_KEY, ENGINE_STORE_TIMEOUT_MS, STORE_TIMEOUT_MS } from './support/engines.js';
import { type RedisServer, skipWithoutRedis, startRedisServer } from './support/redis-server.js';

const CHILD = fileURLToPath(new URL('./fixtures/engine-process.mjs', import.meta.url));
const BUILT = ['../dist/index.js', '../../core/dist/index.js'].map((path) =>
  fileURLToPath(new URL(path, import.meta.url)),
);
const PROCESSES = 3;
const USERS = 30;
const CHILD_TIMEOUT_MS = 15_000;

interface Instance {
  child: ChildProcess;
  ready: Promise<void>;
  done: Promise<{ synced: number; skipped: number; failed: number }>;
}

/** Spawns one instance; its promises reject on a crash, bad output or after CHILD_TIMEOUT_MS. */
function spawnInstance(settings: object): Instance {
  const child = spawn(process.execPath, [CHILD, JSON.stringify(settings)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  let errors = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (output.startsWith('ready\n')) markReady();
  });
  const done = new Promise<Instance['done'] extends Promise<infer T> ? T : never>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const last = output.trim().split('\n').pop() ?? '';
      if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last));
      else reject(new Error(`instance exited with ${code ?? signal}:\n${errors}${output}`));
    });
  });
  return { child, ready: Promise.race([ready, done.then(() => {})]), done };
}

describe.skipIf(skipWithoutRedis)('app instances in separate processes sharing one Redis', () => {
  let server: RedisServer;
  let emulator: Emulator;

  beforeAll(async () => {
    const missing = BUILT.filter((file) => !existsSync(file));
    if (missing.length > 0) {
      throw new Error(
        `build first (pnpm turbo run build --filter=@supportdesk/redis...): missing ${missing.join(', ')}`,
      );
    }
    server = await startRedisServer();
    emulator = await startEmulator({ port: 0 });
  });

  afterAll(async () => {
    await emulator?.close();
    await server?.kill();
  });

  afterEach(() => {
    emulator.reset();
  });

  it('sends exactly one upsert per user when three processes identify the same users at once', async () => {
    const settings = {
      baseUrl: emulator.baseUrl,
      redisUrl: server.url,
      apiKey: API_KEY,
      userCount: USERS,
      timeoutMs: STORE_TIMEOUT_MS,
      storeTimeoutMs: ENGINE_STORE_TIMEOUT_MS,
    };
    const instances = Array.from({ length: PROCESSES }, () => spawnInstance(settings));
    await Promise.all(instances.map((instance) => instance.ready));
    for (const { child } of instances) child.stdin?.write('go\n');
    const stats = await Promise.all(instances.map((instance) => instance.done));

    expect(stats.reduce((sum, { synced }) => sum + synced, 0)).toBe(USERS);
    const counts = Array.from({ length: USERS }, (_, i) => emulator.upsertCount(`proc_user_${i}`));
    expect(counts).toEqual(counts.map(() => 1));
  });

  /** Three instances sharing the Redis, ready, with commands to send them. */
  async function fleet(extra: object = {}) {
    const settings = {
      baseUrl: emulator.baseUrl,
      redisUrl: server.url,
      apiKey: API_KEY,
      timeoutMs: STORE_TIMEOUT_MS,
      storeTimeoutMs: ENGINE_STORE_TIMEOUT_MS,
      ...extra,
    };
    const instances = Array.from({ length: PROCESSES }, () => spawnInstance(settings));
    await Promise.all(instances.map((instance) => instance.ready));
    const send = (index: number, command: string) => instances[index]?.child.stdin?.write(`${command}\n`);
    const closeAll = () => {
      for (const index of instances.keys()) send(index, 'close');
      return Promise.all(instances.map((instance) => instance.done));
    };
    return { send, closeAll };
  }

  const patches = () => emulator.requests.filter((request) => request.method === 'PATCH');

  /** Waits until the instance that met the 429 or 401 has written its hold for the others. */
  async function holdWritten(reason: 'rate-limit' | 'auth') {
    const admin = await connectClient(server.url);
    try {
      await vi.waitFor(
        async () => {
          const [key] = await admin.keys('supportdesk:*|hold');
          expect(key && (await admin.hexists(key, reason))).toBe(1);
        },
        { timeout: 5_000 },
      );
    } finally {
      admin.disconnect();
    }
  }

  it('holds every process for the Retry-After of a 429 one of them got, then sends each user once', async () => {
    const { send, closeAll } = await fleet();
    emulator.inject({ status: 429, retryAfter: 2, times: 1 });
    send(0, 'identify a0');
    await holdWritten('rate-limit');
    expect(patches()).toHaveLength(1);
    const rateLimitedAt = Date.parse(patches()[0]?.receivedAt ?? '');
    send(1, 'identify b0 b1');
    send(2, 'identify c0 c1');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(patches()).toHaveLength(1);

    const stats = await closeAll();
    expect(stats.reduce((sum, { synced }) => sum + synced, 0)).toBe(5);
    for (const id of ['a0', 'b0', 'b1', 'c0', 'c1'])
      expect(emulator.customers(API_KEY).filter((c) => c.externalId === id)).toHaveLength(1);
    const sent = patches()
      .slice(1)
      .map((request) => Date.parse(request.receivedAt));
    expect(sent).toHaveLength(5);
    expect(Math.min(...sent) - rateLimitedAt).toBeGreaterThanOrEqual(1_900);
  });

  it('stops every process for the auth cool-down after one of them got a 401', async () => {
    const { send, closeAll } = await fleet({ authCooldownMs: 2_000 });
    emulator.inject({ status: 401, times: 1 });
    send(0, 'identify auth_a0');
    await holdWritten('auth');
    expect(patches()).toHaveLength(1);
    send(1, 'identify auth_b0');
    send(2, 'identify auth_c0');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(patches()).toHaveLength(1);

    await new Promise((resolve) => setTimeout(resolve, 1_000));
    send(1, 'identify auth_b1');
    send(2, 'identify auth_c1');
    await vi.waitFor(() => expect(patches()).toHaveLength(3), { timeout: 5_000 });
    const stats = await closeAll();
    expect(stats.map(({ failed, synced }) => ({ failed, synced }))).toEqual([
      { failed: 1, synced: 0 },
      { failed: 1, synced: 1 },
      { failed: 1, synced: 1 },
    ]);
    expect(
      patches()
        .slice(1)
        .map((request) => request.externalId)
        .sort(),
    ).toEqual(['auth_b1', 'auth_c1']);
  });
});
