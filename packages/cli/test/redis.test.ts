import { type Emulator, startEmulator } from '@supportdesk/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RedisServer,
  skipWithoutRedis,
  startRedisServer,
} from '../../redis/test/support/redis-server.js';
import { API_KEY, runCli, users, workDir, writeJsonl } from './support/command.js';

let emulator: Emulator;
let redis: RedisServer;

describe.skipIf(skipWithoutRedis)('supportdesk import --redis', () => {
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await emulator?.close();
    await redis?.kill();
  });

  const run = (dir: string, args: string[]) =>
    runCli(['import', 'users.jsonl', '--json', ...args], {
      cwd: dir,
      env: { SUPPORTDESK_API_KEY: API_KEY, SUPPORTDESK_BASE_URL: emulator.baseUrl },
    });

  it('skips users the shared store already synced with the same data, and sends changed ones', async () => {
    const dir = workDir();
    writeJsonl(dir, 'users.jsonl', users(40));
    const first = await run(dir, ['--redis', redis.url]);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ created: 40, unchanged: 0 });
    const changed = users(40);
    changed[3] = { ...changed[3], name: 'Renamed' } as (typeof changed)[number];
    writeJsonl(dir, 'users.jsonl', changed);
    const second = await run(dir, ['--redis', redis.url]);
    expect(JSON.parse(second.stdout)).toMatchObject({ unchanged: 39, updated: 1 });
    expect(emulator.requestCount).toBe(41);
  });

  it('exits 2 with one line when Redis cannot be reached, hiding its password', async () => {
    const dir = workDir();
    writeJsonl(dir, 'users.jsonl', users(1));
    const result = await run(dir, ['--redis', 'redis://:s3cret@127.0.0.1:1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^supportdesk: --redis: cannot connect to redis:\/\/:\*\*\*@127\.0\.0\.1:1/,
    );
    expect(result.stderr).not.toContain('s3cret');
  });
});
