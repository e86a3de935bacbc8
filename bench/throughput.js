/**
 * Figure 2, throughput: requests/s of an app with auth + the SDK (its users already synced)
 * over the same app without the SDK, for Express, Koa and Nest. Each framework's two apps run in
 * a child process and autocannon in this one, so they do not share an event loop. Runs alternate
 * (AB, BA, AB, ...) so drift of the machine favours neither; the figure is the median of the
 * pairwise ratios.
 */

import { startAppServer } from './lib/child.js';
import { runIfMain } from './lib/cli.js';
import { assertClean, load } from './lib/load.js';
import { median, pairwiseRatios, range } from './lib/stats.js';
import { printTable, verdict } from './lib/table.js';
import { startCountingEmulator } from './lib/upstream.js';
import { makeUsers, requestsFor } from './lib/users.js';

const TARGET_RATIO = 0.97;
const USER_COUNT = 5;
const FRAMEWORKS = ['express', 'koa', 'nest'];

const SETTINGS = {
  full: { pairs: 5, durationS: 5, warmupS: 2, connections: 10 },
  smoke: { pairs: 1, durationS: 0.5, warmupS: 0.3, connections: 4 },
};

async function measureFramework(framework, upstream, settings) {
  const requests = requestsFor(makeUsers(USER_COUNT, `${framework}_user`));
  const server = await startAppServer(framework, { baseUrl: upstream.baseUrl, userCount: USER_COUNT });
  try {
    const before = upstream.upserts();
    for (const variant of ['baseline', 'sync']) {
      assertClean(
        await load({
          port: server.ports[variant],
          requests,
          durationS: settings.warmupS,
          connections: settings.connections,
        }),
        `${framework} ${variant} warm-up`,
      );
    }
    const warmStats = await server.flush();
    const warmUpserts = upstream.upserts() - before;
    if (warmStats.synced !== USER_COUNT) {
      throw new Error(`${framework}: warm-up synced ${warmStats.synced} users, expected ${USER_COUNT}`);
    }

    const perSecond = { baseline: [], sync: [] };
    const cpuPerRequest = { baseline: [], sync: [] };
    for (let pair = 0; pair < settings.pairs; pair += 1) {
      const order = pair % 2 === 0 ? ['baseline', 'sync'] : ['sync', 'baseline'];
      for (const variant of order) {
        const cpuBefore = await server.cpuMicros();
        const result = await load({
          port: server.ports[variant],
          requests,
          durationS: settings.durationS,
          connections: settings.connections,
        });
        assertClean(result, `${framework} ${variant}`);
        perSecond[variant].push(result.requestsPerSecond);
        cpuPerRequest[variant].push(((await server.cpuMicros()) - cpuBefore) / result.total);
      }
    }
    await server.flush();
    const ratios = pairwiseRatios(perSecond.sync, perSecond.baseline);
    return {
      framework,
      baselinePerSecond: median(perSecond.baseline),
      syncPerSecond: median(perSecond.sync),
      ratio: median(ratios),
      ratioRange: range(ratios),
      baselineCpuMicros: median(cpuPerRequest.baseline),
      syncCpuMicros: median(cpuPerRequest.sync),
      cpuRatio: median(pairwiseRatios(cpuPerRequest.baseline, cpuPerRequest.sync)),
      warmUpserts,
      measuredUpserts: upstream.upserts() - before - warmUpserts,
    };
  } finally {
    await server.close();
  }
}

/** Measures every framework; resolves to one figure per framework. */
export async function run({ smoke = false } = {}) {
  const settings = smoke ? SETTINGS.smoke : SETTINGS.full;
  const upstream = await startCountingEmulator();
  const figures = [];
  try {
    for (const framework of FRAMEWORKS) figures.push(await measureFramework(framework, upstream, settings));
  } finally {
    await upstream.close();
  }
  printTable(
    'Throughput: app with auth + SDK (users already synced) / same app without the SDK',
    [
      'framework',
      'baseline req/s',
      'with SDK req/s',
      'median ratio',
      'ratio range',
      `target >= ${TARGET_RATIO}`,
      'server CPU µs/req (baseline / SDK)',
      'CPU ratio',
      'upserts (warm-up / measured)',
    ],
    figures.map((f) => [
      f.framework,
      Math.round(f.baselinePerSecond),
      Math.round(f.syncPerSecond),
      f.ratio.toFixed(3),
      `${f.ratioRange.min.toFixed(3)}-${f.ratioRange.max.toFixed(3)}`,
      verdict(f.ratio >= TARGET_RATIO),
      `${f.baselineCpuMicros.toFixed(1)} / ${f.syncCpuMicros.toFixed(1)}`,
      f.cpuRatio.toFixed(3),
      `${f.warmUpserts} / ${f.measuredUpserts}`,
    ]),
    [
      `${settings.pairs} alternating pairs of ${settings.durationS} s runs, ${settings.connections} connections,`,
      `${USER_COUNT} users cycled by header and cookie; req/s columns are medians of the runs.`,
      'CPU ratio: median of pairwise baseline/SDK CPU time per request of the app server, which other',
      'processes on the machine move far less than req/s (a check on the req/s ratio, not the figure).',
    ],
  );
  return figures;
}

runIfMain(import.meta.url, run);
