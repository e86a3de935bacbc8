import { startEmulator } from '@supportdesk/emulator';

/** The key every benchmark sends; the emulator accepts any non-empty key. */
export const BENCH_API_KEY = 'bench-key';

/**
 * Starts the emulator on 127.0.0.1 and counts the upserts it answers. It records no requests
 * (a benchmark of a million upserts must not keep them), so the count comes from `onResponse`,
 * which is unbounded, rather than from `emulator.requests`.
 *
 * @param {{ latencyMs?: number }} [options] `latencyMs` delays every answer (the upstream's latency)
 */
export async function startCountingEmulator({ latencyMs = 0 } = {}) {
  let upserts = 0;
  const emulator = await startEmulator({
    port: 0,
    maxRecordedRequests: 0,
    onResponse: (event) => {
      if (event.method === 'PATCH') upserts += 1;
    },
  });
  if (latencyMs > 0) emulator.inject({ latencyMs });
  return {
    baseUrl: emulator.baseUrl,
    /** Upserts answered since start or the last `reset()`. */
    upserts: () => upserts,
    /** Forget customers and the count, keep the injected latency. */
    reset: () => {
      emulator.reset();
      upserts = 0;
      if (latencyMs > 0) emulator.inject({ latencyMs });
    },
    close: () => emulator.close(),
  };
}

/**
 * A `fetch` for `SupportDeskClient` that answers every upsert at once without a socket. The memory
 * benchmark upserts a million users: through the emulator that would measure the emulator's
 * million stored customers and the loopback, not the engine's cache. The answer echoes the sent
 * fields in the upstream's success envelope, as the emulator would for a new customer.
 */
export function instantUpstreamFetch() {
  let sequence = 0;
  return async (url, init) => {
    const externalId = decodeURIComponent(new URL(String(url)).pathname.split('/').pop() ?? '');
    const input = JSON.parse(String(init?.body ?? '{}'));
    const now = new Date().toISOString();
    sequence += 1;
    const customer = {
      ...input,
      id: `cl${sequence.toString(16)}`,
      externalId,
      createdAt: now,
      updatedAt: now,
    };
    const body = JSON.stringify({ success: true, data: { customer, wasCreated: true }, timestamp: now });
    return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
  };
}
