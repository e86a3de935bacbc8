/**
 * Child process that serves the baseline and the sync variant of one framework's app, so the
 * apps and the load generator (the parent) run on separate event loops and separate cores.
 * argv: <framework> <baseUrl> <userCount>. Talks to the parent over IPC:
 * it sends `{ type: 'ready', ports }`; it answers `flush` with `{ type: 'flushed', stats }`,
 * `cpu` with `{ type: 'cpu', micros }` (its CPU time so far, user + system) and `close` with
 * `{ type: 'closed' }`, then exits once nothing is left open.
 */
import { appStarters } from './apps.js';
import { makeUsers } from './users.js';

const [framework = '', baseUrl = '', userCount = '0'] = process.argv.slice(2);
const start = appStarters[framework];
if (start === undefined || process.send === undefined) {
  console.error('usage: fork app-server.js <express|koa|nest> <baseUrl> <userCount> (with IPC)');
  process.exit(2);
}

const users = makeUsers(Number(userCount), `${framework}_user`);
const apps = {
  baseline: await start({ users, variant: 'baseline', baseUrl }),
  sync: await start({ users, variant: 'sync', baseUrl }),
};

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

process.send({ type: 'ready', ports: { baseline: apps.baseline.port, sync: apps.sync.port } });
