/**
 * What each adapter's hook costs an already-synced request, in process and without HTTP: ns and
 * bytes allocated per request, beside the no-op layer of the same kind (the throughput
 * benchmark's reference) and beside the core calls every hook ends in. The framework objects
 * are real (Node's `IncomingMessage` and `ServerResponse`, Nest's `ExecutionContextHost`) and
 * each iteration makes new ones, in the no-op case too, so a difference is the hook's own.
 * Bytes: the heap growth over a batch that starts after a full collection, the median of
 * several batches (the rare batch with a collection in it reads low), so a figure is what one
 * request leaves for the GC to collect.
 */
import 'reflect-metadata';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { ExpressAdapter } from '@nestjs/platform-express';
import { CustomerSync, createSyncAdapter } from '@supportdesk/core';
import { syncCustomers as expressSync } from '@supportdesk/express';
import { syncCustomers as koaSync } from '@supportdesk/koa';
import { SupportDeskModule, SupportDeskService } from '@supportdesk/nestjs';
import { runIfMain } from './lib/cli.js';
import { median } from './lib/stats.js';
import { printTable } from './lib/table.js';
import { BENCH_API_KEY, instantUpstreamFetch } from './lib/upstream.js';
import { makeUsers, mapUser } from './lib/users.js';

const SETTINGS = {
  full: { rounds: 9, perRound: 100_000, batch: 500, batches: 21 },
  smoke: { rounds: 1, perRound: 2_000, batch: 200, batches: 2 },
};

const noop = () => undefined;
const USER_COUNT = 100;
const users = makeUsers(USER_COUNT, 'hook');
// Every engine answers from memory: the cases below never reach the network once warm.
const engineOptions = () => ({
  apiKey: BENCH_API_KEY,
  baseUrl: 'http://127.0.0.1:9',
  mapUser,
  fetch: instantUpstreamFetch(),
});

function signedInRequest(user) {
  const req = new IncomingMessage(null);
  req.user = user;
  return req;
}
const requests = users.map(signedInRequest);

/** A new response for the i-th request, as Node makes one per request. */
function responseFor(i) {
  const req = requests[i % USER_COUNT];
  return { req, res: new ServerResponse(req) };
}

function expressCase(middleware) {
  return (i) => {
    const { req, res } = responseFor(i);
    middleware(req, res, noop);
    res.emit('close');
  };
}

function koaCase(middleware) {
  const next = () => Promise.resolve();
  return (i) => middleware({ state: { user: users[i % USER_COUNT] } }, next);
}

class MeController {
  me() {
    return {};
  }
}
Reflect.decorate([Controller()], MeController);
Reflect.decorate(
  [Get('me')],
  MeController.prototype,
  'me',
  Object.getOwnPropertyDescriptor(MeController.prototype, 'me'),
);

function nestCase(guard) {
  return (i) => {
    const { req, res } = responseFor(i);
    guard.canActivate(new ExecutionContextHost([req, res, noop], MeController, MeController.prototype.me));
    res.emit('close');
  };
}

/** The guard SupportDeskModule registers, taken from a real (not listening) Nest app. */
async function nestGuard() {
  class AppModule {}
  Reflect.decorate(
    [Module({ imports: [SupportDeskModule.forRoot(engineOptions())], controllers: [MeController] })],
    AppModule,
  );
  const app = await NestFactory.create(AppModule, new ExpressAdapter(), { logger: false });
  await app.init();
  // Nest keeps global guards in its ApplicationConfig, which it does not export as a provider.
  const [guard] = app.config.getGlobalGuards();
  return { guard, sync: app.get(SupportDeskService).sync, close: () => app.close() };
}

/** Runs `once` `count` times; awaits only when it returns a promise (Koa's middleware). */
async function repeat(once, count) {
  for (let i = 0; i < count; i++) {
    const result = once(i);
    if (result !== undefined) await result;
  }
}

async function measure(once, settings) {
  await repeat(once, settings.perRound);
  const nsPerCall = [];
  for (let round = 0; round < settings.rounds; round++) {
    const started = process.hrtime.bigint();
    await repeat(once, settings.perRound);
    nsPerCall.push(Number(process.hrtime.bigint() - started) / settings.perRound);
  }
  const bytesPerCall = [];
  for (let b = 0; b < settings.batches; b++) {
    globalThis.gc?.();
    const before = process.memoryUsage().heapUsed;
    await repeat(once, settings.batch);
    bytesPerCall.push((process.memoryUsage().heapUsed - before) / settings.batch);
  }
  return { ns: median(nsPerCall), bytes: median(bytesPerCall) };
}

/** Identifies every user once through `identify` and waits for the upserts: later calls are the fast path. */
async function syncEveryone(once, sync) {
  await repeat(once, USER_COUNT);
  await sync.flush();
  const { synced } = sync.stats();
  if (synced !== USER_COUNT) throw new Error(`synced ${synced} users, expected ${USER_COUNT}`);
}

/** Resolves to ns and bytes per request of every case. */
export async function run({ smoke = false } = {}) {
  const settings = smoke ? SETTINGS.smoke : SETTINGS.full;
  const express = expressSync(engineOptions());
  const koa = koaSync(engineOptions());
  const nest = await nestGuard();
  const engine = new CustomerSync(engineOptions());
  const adapter = createSyncAdapter({ sync: engine }, (req) => req.user);
  const groups = [
    {
      name: 'Express',
      layer: [
        "middleware adding res.on('close', noop)",
        expressCase((_req, res, next) => {
          res.on('close', noop);
          next();
        }),
      ],
      sdk: ['syncCustomers', expressCase(express), express.sync],
    },
    {
      name: 'Koa',
      layer: ['async middleware awaiting next()', koaCase(async (_ctx, next) => void (await next()))],
      sdk: ['syncCustomers', koaCase(koa), koa.sync],
    },
    {
      name: 'Nest',
      layer: [
        "global guard adding a 'close' listener",
        nestCase({
          canActivate(context) {
            context.getArgByIndex(1).on('close', noop);
            return true;
          },
        }),
      ],
      sdk: ["SupportDeskModule's guard", nestCase(nest.guard), nest.sync],
    },
    {
      name: 'core',
      layer: ['reading req.user', (i) => void requests[i % USER_COUNT].user],
      sdk: ['CustomerSync#identify(user)', (i) => engine.identify(requests[i % USER_COUNT].user), engine],
      extra: [
        'createSyncAdapter(…).identify(req, res)',
        (i) => adapter.identify(requests[i % USER_COUNT], undefined),
      ],
    },
  ];
  const rows = [];
  try {
    for (const group of groups) {
      await syncEveryone(group.sdk[1], group.sdk[2]);
      const layer = await measure(group.layer[1], settings);
      rows.push([group.name, group.layer[0], layer.ns.toFixed(0), layer.bytes.toFixed(0), '-', '-']);
      for (const [label, once] of [group.sdk, group.extra].filter(Boolean)) {
        const figure = await measure(once, settings);
        rows.push([
          group.name,
          label,
          figure.ns.toFixed(0),
          figure.bytes.toFixed(0),
          (figure.ns - layer.ns).toFixed(0),
          (figure.bytes - layer.bytes).toFixed(0),
        ]);
      }
    }
  } finally {
    await Promise.all([express.sync.close(), koa.sync.close(), nest.close(), engine.close()]);
  }
  printTable(
    'Hook cost per already-synced request, in process: the SDK against the no-op layer of its kind',
    ['framework', 'per request', 'ns', 'bytes', 'ns over the first row', 'bytes over the first row'],
    rows,
    [
      `${settings.rounds} rounds of ${settings.perRound} requests (ns: median of rounds); bytes: heap growth`,
      `per request over ${settings.batch} requests, the median of ${settings.batches} batches. ${USER_COUNT} users, synced first.`,
    ],
  );
  return rows;
}

runIfMain(import.meta.url, run);
