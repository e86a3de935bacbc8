/**
 * Figure 6, coalescing: N identifies of one new user, all called before its first upsert has
 * answered, counted at the emulator (target: 1). Beside it, N concurrent calls of the bare client
 * for the same user: what a caller without the engine sends.
 */
import { CustomerSync, SupportDeskClient } from '@supportdesk/core';
import { runIfMain } from './lib/cli.js';
import { formatCount } from './lib/stats.js';
import { printTable, verdict } from './lib/table.js';
import { BENCH_API_KEY, startCountingEmulator } from './lib/upstream.js';
import { makeUsers, mapUser } from './lib/users.js';

// The upstream answers slowly enough that every identify lands while the first upsert is in flight.
const LATENCY_MS = 20;
const SETTINGS = { full: { callCount: 1_000 }, smoke: { callCount: 50 } };

async function engineUpserts(upstream, user, callCount) {
  const sync = new CustomerSync({ apiKey: BENCH_API_KEY, baseUrl: upstream.baseUrl, mapUser });
  try {
    const outcomes = await Promise.all(Array.from({ length: callCount }, () => sync.identify(user)));
    await sync.flush();
    const statuses = {};
    for (const { status } of outcomes) statuses[status] = (statuses[status] ?? 0) + 1;
    return { upserts: upstream.upserts(), statuses };
  } finally {
    await sync.close();
  }
}

async function clientUpserts(upstream, user, callCount) {
  const client = new SupportDeskClient({ apiKey: BENCH_API_KEY, baseUrl: upstream.baseUrl });
  const { externalId, ...input } = mapUser(user);
  await Promise.allSettled(Array.from({ length: callCount }, () => client.upsertCustomer(externalId, input)));
  return { upserts: upstream.upserts() };
}

/** Resolves to the upserts sent by the engine and by bare client calls. */
export async function run({ smoke = false } = {}) {
  const { callCount } = smoke ? SETTINGS.smoke : SETTINGS.full;
  const upstream = await startCountingEmulator({ latencyMs: LATENCY_MS });
  let engine;
  let client;
  try {
    const [engineUser, clientUser] = makeUsers(2, 'coalescing');
    engine = await engineUpserts(upstream, engineUser, callCount);
    upstream.reset();
    client = await clientUpserts(upstream, clientUser, callCount);
  } finally {
    await upstream.close();
  }
  const statusList = Object.entries(engine.statuses)
    .map(([status, count]) => `${count} ${status}`)
    .join(', ');
  printTable(
    `Coalescing: ${formatCount(callCount)} concurrent identifies of one new user -> upserts`,
    ['caller', 'calls', 'upserts', 'target: 1'],
    [
      ['CustomerSync.identify', formatCount(callCount), engine.upserts, verdict(engine.upserts === 1)],
      ['SupportDeskClient.upsertCustomer', formatCount(callCount), client.upserts, '-'],
    ],
    [`Engine outcomes: ${statusList}.`],
  );
  return {
    callCount,
    engineUpserts: engine.upserts,
    clientUpserts: client.upserts,
    statuses: engine.statuses,
  };
}

runIfMain(import.meta.url, run);
