/**
 * Figure 2, throughput: requests/s of each adapter's app with the SDK (its users already synced)
 * over the same app without it, and over the same app with a no-op layer of the same kind as the
 * SDK's hook (ADAPTERS below). Each adapter's apps run in a child process pinned to one core,
 * autocannon in this process pinned to another. Each round runs every variant once, starting
 * with a different one each round, so drift of the machine favours none; a ratio is the median
 * over rounds of the ratio to the baseline of the same round. The server's CPU time per request
 * is measured beside it: other load on the machine moves it far less than requests/s.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startAppServer } from './lib/child.js';
import { runIfMain } from './lib/cli.js';
import { assertClean, load } from './lib/load.js';
import { cpuPlan, pinToCpu } from './lib/pin.js';
import { median, pairwiseRatios, range } from './lib/stats.js';
import { printTable } from './lib/table.js';
import { startCountingEmulator } from './lib/upstream.js';
import { makeUsers, requestsFor } from './lib/users.js';

/**
 * The adapters measured, one entry each: adding an adapter is adding an entry here. `module` is
 * an app file in lib/ whose `start` export serves the app in any of its variants
 * (`({ users, variant, baseUrl, ...options }) => Promise<{ port, flush(), stats(), close() }>`,
 * see lib/express-app.js), with `options` passed in. Every app serves `baseline` (the app
 * without the SDK) and `sync` (with it); `layer` is the no-op layer of the same kind as the
 * SDK's hook, the least an adapter of that kind can cost; `references` are measured beside it.
 * `id` picks adapters on the command line (`--only=express5,koa`).
 *
 * @typedef {{ variant: string, label: string }} Layer
 * @typedef {{ id: string, name: string, module: string, start: string, options?: object,
 *   layer: Layer, references?: Layer[] }} AdapterEntry
 * @type {AdapterEntry[]}
 */
export const ADAPTERS = [
  {
    id: 'express5',
    name: 'Express 5',
    module: 'express-app.js',
    start: 'startExpressApp',
    options: { major: 5 },
    layer: { variant: 'noop-close', label: "middleware adding res.on('close', noop)" },
    references: [{ variant: 'noop-middleware', label: 'empty middleware' }],
  },
  {
    id: 'express4',
    name: 'Express 4',
    module: 'express-app.js',
    start: 'startExpressApp',
    options: { major: 4 },
    layer: { variant: 'noop-close', label: "middleware adding res.on('close', noop)" },
    references: [{ variant: 'noop-middleware', label: 'empty middleware' }],
  },
  {
    id: 'koa',
    name: 'Koa 3',
    module: 'koa-app.js',
    start: 'startKoaApp',
    layer: { variant: 'noop-middleware', label: 'async middleware awaiting next()' },
  },
  {
    id: 'nest-express',
    name: 'Nest 11 on Express',
    module: 'nest-app.js',
    start: 'startNestApp',
    options: { platform: 'express' },
    layer: { variant: 'noop-guard', label: "global guard adding a 'close' listener" },
    references: [{ variant: 'noop-interceptor', label: 'global interceptor doing nothing' }],
  },
  {
    id: 'nest-fastify',
    name: 'Nest 11 on Fastify',
    module: 'nest-app.js',
    start: 'startNestApp',
    options: { platform: 'fastify' },
    layer: { variant: 'noop-guard', label: "global guard adding a 'close' listener" },
    references: [{ variant: 'noop-interceptor', label: 'global interceptor doing nothing' }],
  },
  {
    id: 'fastify',
    name: 'Fastify 5',
    module: 'fastify-app.js',
    start: 'startFastifyApp',
    layer: { variant: 'noop-hook', label: 'onResponse hook doing nothing' },
  },
];

/** The variants an adapter's app serves in the benchmark: `baseline` first. */
function variantsOf(adapter) {
  return ['baseline', 'sync', adapter.layer.variant, ...(adapter.references ?? []).map((r) => r.variant)];
}

const TARGET_RATIO = 0.97;
/** At worst, the SDK may cost 1 % more than the no-op layer of its kind. */
const LAYER_TOLERANCE = 0.99;

// A run is `durationS` seconds, or `amount` requests. The smoke run only checks that every
// variant serves: no warm-up, and a few requests each.
const SETTINGS = {
  full: { rounds: 5, durationS: 5, warmupS: 2, connections: 50, userCount: 100 },
  smoke: { rounds: 1, amount: 200, connections: 10, userCount: 10, sampleIntervalMs: 20 },
};

const rotate = (list, by) => list.map((_, i) => list[(i + by) % list.length]);

/** Runs every variant of `adapter` for `settings.rounds` rounds; per variant, req/s and CPU µs/request by round. */
async function measureAdapter(adapter, upstream, settings, { cpus, cpuProfileDir }) {
  const { userCount } = settings;
  const variants = variantsOf(adapter);
  const requests = requestsFor(makeUsers(userCount, `${adapter.id}_user`));
  const server = await startAppServer(adapter, variants, {
    baseUrl: upstream.baseUrl,
    userCount,
    cpu: cpus.server,
  });
  const run = (variant, warmUp) =>
    load({
      port: server.ports[variant],
      requests,
      connections: settings.connections,
      sampleIntervalMs: settings.sampleIntervalMs,
      ...(warmUp
        ? { durationS: settings.warmupS }
        : { durationS: settings.durationS, amount: settings.amount }),
    });
  try {
    const upsertsBefore = upstream.upserts();
    // Every connection walks the users from the first, in step: a timed warm-up may not reach
    // the last ones. One request per user, one at a time, syncs them all first.
    assertClean(
      await load({ port: server.ports.sync, requests, amount: userCount, connections: 1 }),
      `${adapter.name} sync of every user`,
    );
    if (settings.warmupS !== undefined) {
      for (const variant of variants)
        assertClean(await run(variant, true), `${adapter.name} ${variant} warm-up`);
    }
    const warmStats = await server.flush();
    const warmUpserts = upstream.upserts() - upsertsBefore;
    if (warmStats.synced !== userCount) {
      throw new Error(`${adapter.name}: warm-up synced ${warmStats.synced} users, expected ${userCount}`);
    }

    const byVariant = () => Object.fromEntries(variants.map((variant) => [variant, []]));
    const perSecond = byVariant();
    const cpuMicros = byVariant();
    const gcMicros = byVariant();
    const gcPerThousand = byVariant();
    const requestsServed = Object.fromEntries(variants.map((variant) => [variant, 0]));
    if (cpuProfileDir) await server.startProfile();
    for (let round = 0; round < settings.rounds; round += 1) {
      for (const variant of rotate(variants, round)) {
        const before = await server.usage();
        const result = await run(variant, false);
        const after = await server.usage();
        assertClean(result, `${adapter.name} ${variant}`);
        perSecond[variant].push(result.requestsPerSecond);
        cpuMicros[variant].push((after.cpuMicros - before.cpuMicros) / result.total);
        gcMicros[variant].push((after.gcMicros - before.gcMicros) / result.total);
        gcPerThousand[variant].push(((after.gcCount - before.gcCount) * 1000) / result.total);
        requestsServed[variant] += result.total;
      }
    }
    if (cpuProfileDir) {
      const path = join(cpuProfileDir, `${adapter.id}.cpuprofile`);
      await server.stopProfile(path);
      console.log(`${adapter.name}: CPU profile of the measured rounds in ${path}`);
      console.log(`  requests served by variant: ${JSON.stringify(requestsServed)}`);
    }
    await server.flush();
    const measuredUpserts = upstream.upserts() - upsertsBefore - warmUpserts;
    return {
      adapter,
      pinned: server.pinned,
      perSecond,
      cpuMicros,
      gcMicros,
      gcPerThousand,
      warmUpserts,
      measuredUpserts,
    };
  } finally {
    await server.close();
  }
}

/** Per-round ratios of `variant` over `reference`: req/s, and CPU per request inverted (as a throughput). */
function compare(figures, variant, reference) {
  const ratios = pairwiseRatios(figures.perSecond[variant], figures.perSecond[reference]);
  const cpuRatios = pairwiseRatios(figures.cpuMicros[reference], figures.cpuMicros[variant]);
  return {
    ratio: median(ratios),
    range: range(ratios),
    cpuRatio: median(cpuRatios),
    cpuRange: range(cpuRatios),
  };
}

const fixed = (value) => value.toFixed(3);
const spread = ({ min, max }) => `${fixed(min)}-${fixed(max)}`;

/** Met when the SDK keeps 0.97 of the baseline, or at worst costs 1% more than the no-op layer. */
function verdictOf(sdk, overLayer, settings) {
  if (settings.smoke) return '- (smoke)';
  const missed = [];
  if (sdk.ratio < TARGET_RATIO && overLayer.ratio < LAYER_TOLERANCE) missed.push('req/s');
  if (sdk.cpuRatio < TARGET_RATIO && overLayer.cpuRatio < LAYER_TOLERANCE) missed.push('CPU');
  return missed.length === 0 ? 'met' : `MISSED (${missed.join(', ')})`;
}

function labelOf(adapter, variant) {
  if (variant === 'baseline') return 'without the SDK';
  if (variant === 'sync') return 'with the SDK';
  return [adapter.layer, ...(adapter.references ?? [])].find((layer) => layer.variant === variant).label;
}

function printFigures(all, settings) {
  const runLength = settings.amount ? `${settings.amount} requests` : `${settings.durationS} s`;
  printTable(
    'Throughput by variant (users already synced): medians over rounds, ratios to the baseline of the same round',
    [
      'app',
      'variant',
      'req/s',
      'req/s ratio (range)',
      'server CPU µs/req',
      'CPU ratio (range)',
      'GC µs/req',
      'GCs / 1000 req',
    ],
    all.flatMap((figures) =>
      variantsOf(figures.adapter).map((variant) => {
        const versus = compare(figures, variant, 'baseline');
        return [
          figures.adapter.name,
          labelOf(figures.adapter, variant),
          Math.round(median(figures.perSecond[variant])),
          variant === 'baseline' ? '1' : `${fixed(versus.ratio)} (${spread(versus.range)})`,
          median(figures.cpuMicros[variant]).toFixed(1),
          variant === 'baseline' ? '1' : `${fixed(versus.cpuRatio)} (${spread(versus.cpuRange)})`,
          median(figures.gcMicros[variant]).toFixed(1),
          median(figures.gcPerThousand[variant]).toFixed(2),
        ];
      }),
    ),
    [
      `${settings.rounds} rounds of ${runLength} per variant, ${settings.connections} connections, ${settings.userCount} users`,
      'cycled by header and cookie. CPU: the app server process (user + system, every thread) per',
      "request; CPU ratio: the baseline's CPU per request over the variant's, per round (a throughput",
      'ratio that other processes on the machine move far less than req/s).',
      'GC: time in garbage collections per request, and collections per 1,000 requests (perf_hooks).',
    ],
  );
  printTable(
    `Throughput with the SDK: target >= ${TARGET_RATIO} of the baseline, at worst within 1% of the no-op layer`,
    [
      'app',
      'SDK / baseline (req/s, CPU)',
      'no-op layer / baseline',
      'SDK / no-op layer',
      'target',
      'upserts (warm-up / measured)',
    ],
    all.map((figures) => {
      const sdk = compare(figures, 'sync', 'baseline');
      const layer = compare(figures, figures.adapter.layer.variant, 'baseline');
      const overLayer = compare(figures, 'sync', figures.adapter.layer.variant);
      const both = (ratios) => `${fixed(ratios.ratio)}, ${fixed(ratios.cpuRatio)}`;
      return [
        figures.adapter.name,
        both(sdk),
        both(layer),
        both(overLayer),
        verdictOf(sdk, overLayer, settings),
        `${figures.warmUpserts} / ${figures.measuredUpserts}`,
      ];
    }),
    [`No-op layers: ${all.map((f) => `${f.adapter.name}, ${f.adapter.layer.label}`).join('; ')}.`],
  );
}

/**
 * Measures every adapter (or those named in `only`, by id); resolves to their figures.
 * @param {{ smoke?: boolean, only?: string[], rounds?: number, durationS?: number, cpuProfileDir?: string }} [options]
 */
export async function run({ smoke = false, only, rounds, durationS, cpuProfileDir } = {}) {
  const settings = { ...(smoke ? SETTINGS.smoke : SETTINGS.full), smoke };
  if (rounds > 0) settings.rounds = rounds;
  if (durationS > 0) settings.durationS = durationS;
  const picked = ADAPTERS.filter((adapter) => only === undefined || only.includes(adapter.id));
  if (picked.length === 0) throw new Error(`no adapter is named ${only.join(', ')}`);
  if (cpuProfileDir) mkdirSync(cpuProfileDir, { recursive: true });
  const cpus = cpuPlan();
  const loadPinned = pinToCpu(cpus.load);
  const upstream = await startCountingEmulator();
  const all = [];
  try {
    for (const adapter of picked) {
      all.push(await measureAdapter(adapter, upstream, settings, { cpus, cpuProfileDir }));
    }
  } finally {
    await upstream.close();
  }
  const pinned = loadPinned && all.every((figures) => figures.pinned);
  console.log(
    pinned
      ? `\nPinned with taskset: autocannon and the emulator on CPU ${cpus.load}, each app server on CPU ${cpus.server}.`
      : '\nNot pinned (no taskset, or fewer than 2 CPUs): the load generator and the server share the cores.',
  );
  printFigures(all, settings);
  return all;
}

runIfMain(import.meta.url, run);
