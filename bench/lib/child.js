import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const appServerPath = fileURLToPath(new URL('./app-server.js', import.meta.url));

/** Waits for the next IPC message of `type` from `child`, failing after `timeoutMs` or on exit. */
function nextMessage(child, type, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`app server sent no '${type}' within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (message) => {
      if (message?.type === type) done(undefined, message);
    };
    const onExit = (code) => done(new Error(`app server exited (code ${code}) before '${type}'`));
    function done(error, message) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(message);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/**
 * Forks lib/app-server.js to serve `variants` of `adapter` (an entry of ADAPTERS in
 * throughput.js), pinned to `cpu`, and resolves once its apps listen (`ports` by variant).
 * @returns {Promise<{ ports: Record<string, number>, pinned: boolean, flush(): Promise<object>, usage(): Promise<{ cpuMicros: number, gcCount: number, gcMicros: number }>, startProfile(): Promise<void>, stopProfile(path: string): Promise<void>, close(): Promise<void> }>}
 */
export async function startAppServer(adapter, variants, { baseUrl, userCount, cpu }) {
  const framework = adapter.name;
  const child = fork(appServerPath, [JSON.stringify({ adapter, variants, baseUrl, userCount, cpu })], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const { ports, pinned } = await nextMessage(child, 'ready', 30_000);
    return {
      ports,
      pinned,
      flush: async () => {
        const reply = nextMessage(child, 'flushed', 30_000);
        child.send({ type: 'flush' });
        return (await reply).stats;
      },
      /**
       * CPU time the app server has used so far, in µs (unlike req/s, barely moved by other
       * processes), and its garbage collections so far (count, and their time in µs).
       */
      usage: async () => {
        const reply = nextMessage(child, 'cpu', 10_000);
        child.send({ type: 'cpu' });
        const { micros, gcCount, gcMicros } = await reply;
        return { cpuMicros: micros, gcCount, gcMicros };
      },
      /** Starts a V8 CPU profile of the app server (for the measured rounds only). */
      startProfile: async () => {
        const reply = nextMessage(child, 'profiling', 10_000);
        child.send({ type: 'profile-start' });
        await reply;
      },
      /** Stops the profile and has the app server write it to `path` (a .cpuprofile file). */
      stopProfile: async (path) => {
        const reply = nextMessage(child, 'profiled', 30_000);
        child.send({ type: 'profile-stop', path });
        await reply;
      },
      close: async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        const closed = nextMessage(child, 'closed', 10_000);
        child.send({ type: 'close' });
        await closed.catch(() => child.kill());
        // Once closed, the child has nothing left to do: one that lingers holds a handle open.
        const timer = setTimeout(() => {
          console.warn(`${framework} app server did not exit by itself after close: killing it`);
          child.kill();
        }, 5_000);
        await exited;
        clearTimeout(timer);
      },
    };
  } catch (error) {
    child.kill();
    throw error;
  }
}
