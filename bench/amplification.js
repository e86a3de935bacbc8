/**
 * Figure 3, upstream amplification: N requests by U signed-in users through the Express app,
 * counting the upserts the emulator receives, with the SDK (target: U) beside a naive middleware
 * that upserts on every request (N). Counts, not timings: app, load and emulator share this
 * process.
 */

import { runIfMain } from './lib/cli.js';
import { startExpressApp } from './lib/express-app.js';
import { assertClean, load } from './lib/load.js';
import { formatCount } from './lib/stats.js';
import { printTable, verdict } from './lib/table.js';
import { startCountingEmulator } from './lib/upstream.js';
import { makeUsers, requestsFor } from './lib/users.js';

const SETTINGS = {
  full: { requestCount: 10_000, userCount: 100 },
  smoke: { requestCount: 200, userCount: 20 },
};

async function countUpserts(variant, upstream, { requestCount, userCount }) {
  const users = makeUsers(userCount, `amplification_${variant}`);
  upstream.reset();
  const app = await startExpressApp({ users, variant, baseUrl: upstream.baseUrl });
  try {
    const result = await load({
      port: app.port,
      requests: requestsFor(users),
      amount: requestCount,
      connections: 10,
    });
    assertClean(result, `amplification ${variant}`);
    await app.flush();
    return { variant, requests: result.total, upserts: upstream.upserts(), stats: app.stats() };
  } finally {
    await app.close();
  }
}

/** Resolves to the upsert counts of the SDK and of the naive middleware. */
export async function run({ smoke = false } = {}) {
  const settings = smoke ? SETTINGS.smoke : SETTINGS.full;
  const upstream = await startCountingEmulator();
  let sdk;
  let naive;
  try {
    sdk = await countUpserts('sync', upstream, settings);
    naive = await countUpserts('naive', upstream, settings);
  } finally {
    await upstream.close();
  }
  const { stats } = sdk;
  printTable(
    `Amplification: ${formatCount(settings.requestCount)} requests by ${settings.userCount} users -> upserts received by the emulator`,
    ['middleware', 'requests', 'upserts', 'upserts / request', `target: ${settings.userCount}`],
    [
      [
        'syncCustomers',
        formatCount(sdk.requests),
        formatCount(sdk.upserts),
        (sdk.upserts / sdk.requests).toFixed(4),
        verdict(sdk.upserts === settings.userCount),
      ],
      [
        'naive (upsert every request)',
        formatCount(naive.requests),
        formatCount(naive.upserts),
        (naive.upserts / naive.requests).toFixed(4),
        '-',
      ],
    ],
    [
      `SDK outcomes: ${stats.synced} synced, ${stats.skipped} skipped, ${stats.coalesced} coalesced, ${stats.failed} failed, ${stats.dropped} dropped.`,
    ],
  );
  return { settings, sdkUpserts: sdk.upserts, naiveUpserts: naive.upserts, stats };
}

runIfMain(import.meta.url, run);
