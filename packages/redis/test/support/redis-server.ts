import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** Absolute path of `redis-server` on PATH, or undefined when it is not installed. */
export const redisServerBinary: string | undefined = (process.env.PATH ?? '')
  .split(delimiter)
  .filter(Boolean)
  .map((dir) => join(dir, 'redis-server'))
  .find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

/**
 * Suites skip without redis-server on a developer machine, but never in CI: there the missing
 * binary makes {@link startRedisServer} throw, so the suite fails and says why.
 */
export const skipWithoutRedis = redisServerBinary === undefined && !process.env.CI;
if (skipWithoutRedis) {
  console.warn(
    '@supportdesk/redis: redis-server is not on PATH, skipping the Redis suites (apt-get install redis-server)',
  );
}

const START_TIMEOUT_MS = 5_000;
const START_ATTEMPTS = 3;

/** A redis-server child process on 127.0.0.1 that tests can kill and start again on the same port. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Start it again on the same port (after {@link RedisServer.kill}), empty. */
  start(): Promise<void>;
  /** SIGKILL, like a crash: no shutdown, connections drop. */
  kill(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function spawnOn(binary: string, port: number): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start within ${START_TIMEOUT_MS} ms:\n${output}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
  });
}

function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** Spawns redis-server on a free loopback port, persistence off. Call `kill()` in afterAll. */
export async function startRedisServer(): Promise<RedisServer> {
  const binary = redisServerBinary;
  if (binary === undefined) {
    throw new Error(
      'redis-server is not on PATH: install it (apt-get install -y redis-server) to run these tests',
    );
  }
  let lastError: unknown;
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const port = await freePort();
    try {
      let child = await spawnOn(binary, port);
      return {
        port,
        url: `redis://127.0.0.1:${port}`,
        async start() {
          await killChild(child);
          child = await spawnOn(binary, port);
        },
        kill: () => killChild(child),
      };
    } catch (error) {
      // Another process may have taken the port between the probe and the spawn.
      lastError = error;
    }
  }
  throw lastError;
}

/** Polls `condition` every `intervalMs` until it holds; throws after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  { timeoutMs = 2_000, intervalMs = 10 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
