/**
 * The smallest upstream that answers an upsert as SupportDesk does, in a child process: every
 * PATCH gets a success envelope for its id at once, and nothing is stored, so a run of a million
 * upserts measures the importer's memory and not a server's. As a module it exports
 * `startFastUpstream`; forked, it serves.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { isMain } from './cli.js';

/** Forks the upstream; resolves to `{ baseUrl, pid, upserts(), close() }`. */
export async function startFastUpstream() {
  const child = fork(fileURLToPath(import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [{ baseUrl }] = await once(child, 'message');
  return {
    baseUrl,
    pid: child.pid,
    upserts: async () => {
      child.send('upserts');
      const [{ upserts }] = await once(child, 'message');
      return upserts;
    },
    close: async () => {
      const exited = once(child, 'exit');
      child.send('close');
      await exited;
    },
  };
}

if (isMain(import.meta.url) && process.send !== undefined) {
  let upserts = 0;
  const at = new Date().toISOString();
  const server = createServer((req, res) => {
    req.resume();
    req.once('end', () => {
      upserts += 1;
      const externalId = decodeURIComponent(req.url.slice(req.url.lastIndexOf('/') + 1));
      const customer = {
        id: `cl${upserts}`,
        externalId,
        email: 'a@bench.example',
        name: 'A',
        createdAt: at,
        updatedAt: at,
      };
      const body = JSON.stringify({ success: true, data: { customer, wasCreated: true }, timestamp: at });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.listen(0, '127.0.0.1', () =>
    process.send({ baseUrl: `http://127.0.0.1:${server.address().port}/api/v1` }),
  );
  process.on('message', (message) => {
    if (message === 'upserts') process.send({ upserts });
    if (message === 'close') {
      server.closeAllConnections();
      server.close(() => process.disconnect());
    }
  });
  process.once('disconnect', () => server.close());
}
