/**
 * Figure 2, throughput: requests/s of an app with auth + the SDK (its users already synced)
 * over the same app without the SDK, for Express, Koa and Nest. Each framework's apps run in a
 * child process and autocannon in this one, so they do not share an event loop. Each round runs
 * every variant once, starting with a different one each round, so drift of the machine favours
 * none; the figure is the median over rounds of the ratio to the baseline of the same round.
 * Nest also runs a no-op global interceptor: the part of its cost that is Nest's, not the SDK's.
 */
import { throughputVariants } from './lib/apps.js';
import { startAppServer } from './lib/child.js';
import { runIfMain } from './lib/cli.js';
import { assertClean, load } from './lib/load.js';
import { median, pairwiseRatios, range } from './lib/stats.js';
import { printTable, verdict } from './lib/table.js';
import { startCountingEmulator } from './lib/upstream.js';
import { makeUsers, requestsFor } from './lib/users.js';

const TARGET_RATIO = 0.97;
const USER_COUNT = 5;
const LABELS = { sync: 'with SDK', interceptor: 'no-op interceptor (reference)' };

const SETTINGS = {
  full: { rounds: 5, durationS: 5, warmupS: 2, connections: 10 },
  smoke: { rounds: 1, durationS: 0.5, warmupS: 0.3, connections: 4 },
};

const rotate = (list, by) => list.map((_, i) => list[(i + by) % list.length]);

async function measureFramework(framework, upstream, settings) {
  const variants = throughputVariants[framework];
  const requests = requestsFor(makeUsers(USER_COUNT, `${framework}_user`));
  const server = await startAppServer(framework, { baseUrl: upstream.baseUrl, userCount: USER_COUNT });
  const run = (variant, durationS) =>
    load({ port: server.ports[variant], requests, durationS, connections: settings.connections });
  try {
    const before = upstream.upserts();
    for (const variant of variants)
      assertClean(await run(variant, settings.warmupS), `${framework} ${variant} warm-up`);
    const warmStats = await server.flush();
    const warmUpserts = upstream.upserts() - before;
    if (warmStats.synced !== USER_COUNT) {
      throw new Error(`${framework}: warm-up synced ${warmStats.synced} users, expected ${USER_COUNT}`);
    }

    const perSecond = Object.fromEntries(variants.map((variant) => [variant, []]));
    const cpuPerRequest = Object.fromEntries(variants.map((variant) => [variant, []]));
    for (let round = 0; round < settings.rounds; round += 1) {
      for (const variant of rotate(variants, round)) {
        const cpuBefore = await server.cpuMicros();
        const result = await run(variant, settings.durationS);
        assertClean(result, `${framework} ${variant}`);
        perSecond[variant].push(result.requestsPerSecond);
        cpuPerRequest[variant].push(((await server.cpuMicros()) - cpuBefore) / result.total);
      }
    }
    await server.flush();
    const measuredUpserts = upstream.upserts() - before - warmUpserts;
    return variants.slice(1).map((variant) => {
      const ratios = pairwiseRatios(perSecond[variant], perSecond.baseline);
      return {
        framework,
        variant,
        baselinePerSecond: median(perSecond.baseline),
        perSecond: median(perSecond[variant]),
        ratio: median(ratios),
        ratioRange: range(ratios),
        baselineCpuMicros: median(cpuPerRequest.baseline),
        cpuMicros: median(cpuPerRequest[variant]),
        cpuRatio: median(pairwiseRatios(cpuPerRequest.baseline, cpuPerRequest[variant])),
        upserts: variant === 'sync' ? `${warmUpserts} / ${measuredUpserts}` : '-',
      };
    });
  } finally {
    await server.close();
  }
}

/** Measures every framework; resolves to one figure per framework and variant. */
export async function run({ smoke = false } = {}) {
  const settings = smoke ? SETTINGS.smoke : SETTINGS.full;
  const upstream = await startCountingEmulator();
  const figures = [];
  try {
    for (const framework of Object.keys(throughputVariants)) {
      figures.push(...(await measureFramework(framework, upstream, settings)));
    }
  } finally {
    await upstream.close();
  }
  printTable(
    'Throughput: app with auth + SDK (users already synced) / same app without the SDK',
    [
      'app',
      'baseline req/s',
      'variant req/s',
      'median ratio',
      'ratio range',
      `target >= ${TARGET_RATIO}`,
      'server CPU µs/req (baseline / variant)',
      'CPU ratio',
      'upserts (warm-up / measured)',
    ],
    figures.map((f) => [
      `${f.framework}, ${LABELS[f.variant]}`,
      Math.round(f.baselinePerSecond),
      Math.round(f.perSecond),
      f.ratio.toFixed(3),
      `${f.ratioRange.min.toFixed(3)}-${f.ratioRange.max.toFixed(3)}`,
      f.variant === 'sync' ? verdict(f.ratio >= TARGET_RATIO) : '-',
      `${f.baselineCpuMicros.toFixed(1)} / ${f.cpuMicros.toFixed(1)}`,
      f.cpuRatio.toFixed(3),
      f.upserts,
    ]),
    [
      `${settings.rounds} rounds of ${settings.durationS} s runs per variant, ${settings.connections} connections,`,
      `${USER_COUNT} users cycled by header and cookie; req/s and µs/req columns are medians over rounds.`,
      'CPU ratio: median of baseline/variant CPU time per request of the app server, which other',
      'processes on the machine move far less than req/s (a check on the req/s ratio, not the figure).',
    ],
  );
  return figures;
}

runIfMain(import.meta.url, run);
