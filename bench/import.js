/**
 * Figure 7, importing an existing user base.
 * (a) Overhead: rows per second of `importCustomers` against a hand-written loop of the bare
 *     `SupportDeskClient` at the same concurrency (8), the emulator answering at once, in a child
 *     process. Rounds alternate which goes first; the figure is the median of the per-round ratios
 *     (target >= 0.9).
 * (b) Pipeline: 1,000 rows, the emulator answering after 20 ms, concurrency 8. The bound is
 *     1,000 × 20 / 8 = 2,500 ms; the figure is bound / measured (target >= 0.9), beside the loop.
 * (c) Memory: `supportdesk import` (the built CLI, a real process) over 1,000,000 JSONL rows
 *     against an upstream that stores nothing (lib/fast-upstream.js, another process); its RSS is
 *     read from /proc every 200 ms (target: peak < 150 MB, and flat). Linux only.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { importCustomers, SupportDeskClient } from '@supportdesk/core';
import { runIfMain } from './lib/cli.js';
import { startEmulatorProcess } from './lib/emulator-process.js';
import { startFastUpstream } from './lib/fast-upstream.js';
import { formatBytes, formatCount, median, range } from './lib/stats.js';
import { printTable, verdict } from './lib/table.js';
import { BENCH_API_KEY } from './lib/upstream.js';
import { makeUsers, mapUser } from './lib/users.js';

const CONCURRENCY = 8;
const LATENCY_MS = 20;
const TARGET_RATIO = 0.9;
const TARGET_RSS_BYTES = 150e6;
const SETTINGS = {
  full: { overheadRows: 3_000, rounds: 7, pipelineRows: 1_000, memoryRows: 1_000_000 },
  smoke: { overheadRows: 100, rounds: 1, pipelineRows: 40, memoryRows: 500 },
};

/** The upstream on one core, the importer on the other, so their CPU time does not mix (Linux, taskset). */
const SERVER_CPU = 0;
const CLIENT_CPU = 1;
function pin(pid, cpu) {
  if (pid === undefined || availableParallelism() < 2) return;
  try {
    execFileSync('taskset', ['-cp', String(cpu), String(pid)], { stdio: 'ignore' });
  } catch {
    // No taskset here: the figures are noisier, not wrong.
  }
}

const cliBin = join(
  dirname(createRequire(import.meta.url).resolve('@supportdesk/cli/package.json')),
  'dist/cli.js',
);

async function timeImport(baseUrl, users) {
  const started = performance.now();
  const summary = await importCustomers(users, {
    apiKey: BENCH_API_KEY,
    baseUrl,
    mapUser,
    concurrency: CONCURRENCY,
  });
  if (summary.created + summary.updated !== users.length)
    throw new Error(`import sent ${summary.created} of ${users.length}`);
  return performance.now() - started;
}

/** The loop people write by hand: `concurrency` workers taking the next row, awaiting each upsert. */
async function timeLoop(baseUrl, users) {
  const client = new SupportDeskClient({ apiKey: BENCH_API_KEY, baseUrl });
  let next = 0;
  const worker = async () => {
    while (next < users.length) {
      const { externalId, ...input } = mapUser(users[next]);
      next += 1;
      await client.upsertCustomer(externalId, input);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return performance.now() - started;
}

async function overhead({ overheadRows, rounds }) {
  const upstream = await startEmulatorProcess({ latencyMs: 0 });
  const results = { import: [], loop: [], ratios: [] };
  try {
    pin(upstream.pid, SERVER_CPU);
    // A first pass of each warms up the code paths and the connections.
    await timeImport(upstream.baseUrl, makeUsers(200, 'warm_import'));
    await timeLoop(upstream.baseUrl, makeUsers(200, 'warm_loop'));
    for (let round = 0; round < rounds; round += 1) {
      const users = makeUsers(overheadRows, `overhead_${round}`);
      const timed = {};
      for (const name of round % 2 === 0 ? ['import', 'loop'] : ['loop', 'import']) {
        await upstream.reset();
        timed[name] = await (name === 'import' ? timeImport : timeLoop)(upstream.baseUrl, users);
      }
      const rate = (ms) => (overheadRows * 1000) / ms;
      results.import.push(rate(timed.import));
      results.loop.push(rate(timed.loop));
      results.ratios.push(rate(timed.import) / rate(timed.loop));
    }
  } finally {
    await upstream.close();
  }
  return results;
}

async function pipeline({ pipelineRows, rounds }) {
  const upstream = await startEmulatorProcess({ latencyMs: LATENCY_MS });
  const times = { import: [], loop: [] };
  let importUpserts = 0;
  try {
    pin(upstream.pid, SERVER_CPU);
    // Both warm up first: the emulator process is new, and its first requests run cold code.
    await timeImport(upstream.baseUrl, makeUsers(100, 'pipeline_warm_import'));
    await timeLoop(upstream.baseUrl, makeUsers(100, 'pipeline_warm_loop'));
    for (let round = 0; round < Math.min(rounds, 3); round += 1) {
      for (const name of round % 2 === 0 ? ['import', 'loop'] : ['loop', 'import']) {
        await upstream.reset();
        const users = makeUsers(pipelineRows, `pipeline_${name}_${round}`);
        times[name].push(await (name === 'import' ? timeImport : timeLoop)(upstream.baseUrl, users));
        if (name === 'import') importUpserts = await upstream.upserts();
      }
    }
  } finally {
    await upstream.close();
  }
  return {
    importMs: median(times.import),
    loopMs: median(times.loop),
    runs: times.import.length,
    importUpserts,
    boundMs: (pipelineRows * LATENCY_MS) / CONCURRENCY,
  };
}

async function writeJsonl(file, rows) {
  const out = createWriteStream(file);
  for (let i = 0; i < rows; i += 1) {
    const line = `{"id":"mem_${i}","email":"mem_${i}@bench.example","name":"Bench User ${i}","plan":"${i % 2 ? 'free' : 'premium'}"}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
}

const readRss = (pid) => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) * 1024;
  } catch {
    return Number.NaN;
  }
};

async function memory({ memoryRows }) {
  const dir = mkdtempSync(join(tmpdir(), 'supportdesk-bench-import-'));
  const upstream = await startFastUpstream();
  try {
    pin(upstream.pid, SERVER_CPU);
    const file = join(dir, 'users.jsonl');
    await writeJsonl(file, memoryRows);
    const child = spawn(process.execPath, [cliBin, 'import', file, '--json'], {
      env: { ...process.env, SUPPORTDESK_API_KEY: BENCH_API_KEY, SUPPORTDESK_BASE_URL: upstream.baseUrl },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const started = performance.now();
    const samples = [];
    const timer = setInterval(() => {
      const rss = readRss(child.pid);
      if (!Number.isNaN(rss)) samples.push({ atMs: performance.now() - started, rss });
    }, 200);
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (text) => {
      stdout += text;
    });
    const [code] = await once(child, 'exit');
    clearInterval(timer);
    if (code !== 0) throw new Error(`supportdesk import exited with ${code}: ${stdout}`);
    return { summary: JSON.parse(stdout), samples, upserts: await upstream.upserts(), file };
  } finally {
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Resolves to the three figures. */
export async function run({ smoke = false } = {}) {
  const settings = smoke ? SETTINGS.smoke : SETTINGS.full;
  pin(process.pid, CLIENT_CPU);

  const over = await overhead(settings);
  const ratio = median(over.ratios);
  const spread = range(over.ratios);
  printTable(
    `Import: rows per second, importCustomers / a hand-written loop of the bare client (concurrency ${CONCURRENCY}, emulator at 0 ms)`,
    [
      'sender',
      'median rows/s',
      `ratio (median of ${settings.rounds})`,
      'ratio range',
      `target >= ${TARGET_RATIO}`,
    ],
    [
      [
        'importCustomers',
        Math.round(median(over.import)),
        ratio.toFixed(3),
        `${spread.min.toFixed(3)}-${spread.max.toFixed(3)}`,
        verdict(ratio >= TARGET_RATIO),
      ],
      [`${CONCURRENCY} workers over SupportDeskClient`, Math.round(median(over.loop)), '-', '-', '-'],
    ],
    [
      `${formatCount(settings.overheadRows)} new users per run; rounds alternate which sender goes first; the emulator runs in a child process,`,
      'pinned to one core and the importer to the other (taskset).',
    ],
  );

  const pipe = await pipeline(settings);
  const efficiency = (ms) => pipe.boundMs / ms;
  printTable(
    `Import: ${formatCount(settings.pipelineRows)} rows, upstream latency ${LATENCY_MS} ms, concurrency ${CONCURRENCY} (bound ${formatCount(pipe.boundMs)} ms)`,
    ['sender', 'measured ms', 'bound / measured', `target >= ${TARGET_RATIO}`],
    [
      [
        'importCustomers',
        Math.round(pipe.importMs),
        efficiency(pipe.importMs).toFixed(3),
        verdict(efficiency(pipe.importMs) >= TARGET_RATIO),
      ],
      [
        `${CONCURRENCY} workers over SupportDeskClient`,
        Math.round(pipe.loopMs),
        efficiency(pipe.loopMs).toFixed(3),
        '-',
      ],
    ],
    [
      `Medians of ${pipe.runs} runs each, alternating, after a warm-up of both; emulator and importer pinned to different cores.`,
      `Upserts the emulator answered for an import: ${pipe.importUpserts}. importCustomers / loop time: ${(pipe.importMs / pipe.loopMs).toFixed(3)}.`,
    ],
  );

  const mem = await memory(settings);
  const peak = Math.max(...mem.samples.map((sample) => sample.rss));
  const durationMs = mem.samples.at(-1)?.atMs ?? 0;
  const deciles = Array.from({ length: 10 }, (_, i) => {
    const from = (durationMs * i) / 10;
    const to = (durationMs * (i + 1)) / 10;
    const inside = mem.samples.filter((sample) => sample.atMs >= from && sample.atMs <= to);
    return Math.max(...inside.map((sample) => sample.rss));
  });
  const secondHalf = Math.max(...deciles.slice(5));
  const firstHalf = Math.max(...deciles.slice(0, 5));
  const flat = secondHalf <= firstHalf * 1.1;
  printTable(
    `Import: RSS of supportdesk import over ${formatCount(settings.memoryRows)} JSONL rows (${formatCount(mem.summary.created)} created in ${(mem.summary.durationMs / 1000).toFixed(0)} s)`,
    ['tenth of the run', ...deciles.map((_, i) => `${i + 1}`)],
    [['peak RSS in it', ...deciles.map((rss) => (Number.isFinite(rss) ? formatBytes(rss) : '-'))]],
    [
      `Peak RSS ${formatBytes(peak)} (target < ${formatBytes(TARGET_RSS_BYTES)}): ${verdict(peak < TARGET_RSS_BYTES)}.` +
        ` Flat (the second half's peak within 10% of the first half's): ${verdict(flat)}.`,
      `${mem.samples.length} samples from /proc every 200 ms; upserts answered: ${formatCount(mem.upserts)}.`,
    ],
  );
  return { ratio, pipeline: pipe, peakRss: peak, flat };
}

runIfMain(import.meta.url, run);
