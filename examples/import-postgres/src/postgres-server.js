/**
 * A throw-away PostgreSQL server for the example and its test: initdb in a temporary directory,
 * `postgres` listening on 127.0.0.1 and a free port, trust authentication (loopback only), and
 * everything removed on stop. initdb and postgres refuse to run as root, so as root they run as
 * the `postgres` system user (Debian's postgresql package creates it).
 */
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

/** The directory of initdb and postgres: `pg_config --bindir`, else Debian's /usr/lib/postgresql/<version>/bin. */
export function findPostgresBinaries() {
  const candidates = [];
  try {
    candidates.push(
      execFileSync('pg_config', ['--bindir'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim(),
    );
  } catch {
    // No pg_config on PATH: look where Debian puts the server.
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian))
    for (const version of readdirSync(debian).sort().reverse()) candidates.push(join(debian, version, 'bin'));
  return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres')));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

const asRoot = () => process.platform !== 'win32' && userInfo().uid === 0;

/** Runs a PostgreSQL program, as the `postgres` user when this process is root. */
function command(binaries, program, args) {
  const file = join(binaries, program);
  return asRoot() ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
}

/**
 * Starts a server; resolves to `{ url, port, stop() }`. `stop()` shuts it down and deletes its
 * data directory; call it in a `finally`.
 */
export async function startPostgres({ binaries = findPostgresBinaries() } = {}) {
  if (binaries === undefined)
    throw new Error(
      'PostgreSQL server binaries not found (pg_config --bindir, /usr/lib/postgresql/*/bin): apt-get install postgresql, or set DATABASE_URL',
    );
  const dir = mkdtempSync(join(tmpdir(), 'supportdesk-postgres-'));
  const data = join(dir, 'data');
  if (asRoot()) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
    chownSync(dir, uid, gid);
  }
  try {
    const [program, args] = command(binaries, 'initdb', [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    execFileSync(program, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${error.stderr?.toString() || error.message}`);
  }
  const port = await freePort();
  const settings = ['-D', data, '-h', '127.0.0.1', '-p', String(port), '-k', dir, '-c', 'fsync=off'];
  const [program, args] = command(binaries, 'postgres', settings);
  // Its own process group: a Ctrl-C in the terminal reaches this process, which stops the
  // server after the import settled, rather than the server mid-import.
  const server = spawn(program, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  const exited = new Promise((resolve) => server.once('exit', resolve));
  let log = '';
  server.stderr.setEncoding('utf8').on('data', (text) => {
    log = (log + text).slice(-4_000);
  });
  // SIGINT is postgres's "fast shutdown" (ends sessions, waits for no client). It goes to the
  // postmaster itself, by the pid it writes: as root the child is runuser, which does not pass it on.
  const signal = (name) => {
    try {
      const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(pid, name);
    } catch {
      server.kill(name);
    }
  };
  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) {
      signal('SIGINT');
      const timer = setTimeout(() => signal('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`postgres did not start within ${START_TIMEOUT_MS} ms:\n${log}`)),
        START_TIMEOUT_MS,
      );
      const onData = () => {
        if (!log.includes('ready to accept connections')) return;
        clearTimeout(timer);
        server.stderr.off('data', onData);
        resolve();
      };
      server.stderr.on('data', onData);
      exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`postgres exited with ${code}:\n${log}`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, stop };
}
