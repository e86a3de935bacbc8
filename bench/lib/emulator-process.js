/**
 * The counting emulator (lib/upstream.js) in a child process, for benchmarks that time the
 * engine: a real upstream runs on another machine, so its CPU must not queue in the event loop
 * of the engine under test. As a module it exports `startEmulatorProcess`; forked, it serves.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { isMain } from './cli.js';
import { startCountingEmulator } from './upstream.js';

const REPLY_TIMEOUT_MS = 10_000;

/**
 * Forks an emulator answering every upsert after `latencyMs`.
 * @returns {Promise<{ baseUrl: string, pid: number, upserts(): Promise<number>, reset(): Promise<void>, close(): Promise<void> }>}
 */
export async function startEmulatorProcess({ latencyMs = 0 } = {}) {
  const child = fork(fileURLToPath(import.meta.url), [String(latencyMs)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let sequence = 0;
  const ask = (type) => {
    sequence += 1;
    const id = sequence;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.off('message', onMessage);
        reject(new Error(`emulator process did not answer '${type}' within ${REPLY_TIMEOUT_MS} ms`));
      }, REPLY_TIMEOUT_MS);
      const onMessage = (message) => {
        if (message?.id !== id) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(message);
      };
      child.on('message', onMessage);
      child.send({ type, id });
    });
  };
  try {
    const { baseUrl } = await ask('hello');
    return {
      baseUrl,
      /** The child's pid, to pin it to a core. */
      pid: child.pid,
      upserts: async () => (await ask('upserts')).upserts,
      reset: async () => void (await ask('reset')),
      close: async () => {
        if (child.exitCode !== null) return;
        const exited = once(child, 'exit');
        await ask('close').catch(() => child.kill());
        await exited;
      },
    };
  } catch (error) {
    child.kill();
    throw error;
  }
}

if (isMain(import.meta.url) && process.send !== undefined) {
  const upstream = await startCountingEmulator({ latencyMs: Number(process.argv[2] ?? 0) });
  process.on('message', async ({ type, id } = {}) => {
    if (type === 'upserts') process.send({ id, upserts: upstream.upserts() });
    else if (type === 'reset') upstream.reset();
    else if (type === 'close') await upstream.close();
    process.send({ id, baseUrl: upstream.baseUrl });
    if (type === 'close') process.disconnect();
  });
  // An orphan must not outlive a killed benchmark.
  process.once('disconnect', () => void upstream.close());
}
