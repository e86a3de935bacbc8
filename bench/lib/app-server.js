/**
 * Child process that serves the variants of one framework's app (lib/apps.js), so the
 * apps and the load generator (the parent) run on separate event loops and separate cores.
 * argv: <framework> <baseUrl> <userCount>. Talks to the parent over IPC:
 * it sends `{ type: 'ready', ports }`; it answers `flush` with `{ type: 'flushed', stats }`,
 * `cpu` with `{ type: 'cpu', micros }` (its CPU time so far, user + system) and `close` with
 * `{ type: 'closed' }`, then exits once nothing is left open.
 */
import { appStarters, throughputVariants } from './apps.js';
import { makeUsers } from './users.js';

const [framework = '', baseUrl = '', userCount = '0'] = process.argv.slice(2);
const start = appStarters[framework];
if (start === undefined || process.send === undefined) {
  console.error('usage: fork app-server.js <express|koa|nest> <baseUrl> <userCount> (with IPC)');
  process.exit(2);
}

const users = makeUsers(Number(userCount), `${framework}_user`);
const apps = {};
for (const variant of throughputVariants[framework]) apps[variant] = await start({ users, variant, baseUrl });

async function closeAll() {
  await Promise.all(Object.values(apps).map((app) => app.close()));
}

process.on('message', (message) => {
  if (message?.type === 'flush') {
    Promise.resolve(apps.sync.flush()).then(() =>
      process.send({ type: 'flushed', stats: apps.sync.stats() }),
    );
  } else if (message?.type === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send({ type: 'cpu', micros: user + system });
  } else if (message?.type === 'close') {
    closeAll().then(() => {
      process.send({ type: 'closed' });
      process.disconnect();
    });
  }
});
// An orphan must not outlive its parent (a killed bench run).
process.once('disconnect', () => void closeAll().catch(() => undefined));

const ports = Object.fromEntries(Object.entries(apps).map(([variant, app]) => [variant, app.port]));
process.send({ type: 'ready', ports });
