import { spawn, spawnSync } from 'node:child_process';
import { type Emulator, startEmulator } from '@supportdesk/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, CLI, runCli, users, workDir, writeJsonl } from './support/command.js';

/** util-linux `script` runs a command on a pseudo-terminal: a cheap real terminal for the bar. */
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
if (!hasScript)
  console.warn('@supportdesk/cli: `script` (util-linux) is not installed, skipping the terminal test');

const ESCAPE = '\u001b';
const COLOUR = new RegExp(`${ESCAPE}\\[[0-9;]*m`);

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  emulator.inject({ latencyMs: 2 });
});
afterAll(() => emulator.close());

describe('progress on stderr', () => {
  it.skipIf(!hasScript)(
    'is a bar redrawn in place on a terminal: rows, percent, rate, failures; no colour',
    async () => {
      const dir = workDir();
      writeJsonl(dir, 'users.jsonl', users(300));
      // Not spawnSync: the emulator answering the command runs in this process's event loop.
      const child = spawn(
        'script',
        ['-qfec', `"${process.execPath}" "${CLI}" import users.jsonl`, '/dev/null'],
        {
          cwd: dir,
          env: { ...process.env, SUPPORTDESK_API_KEY: API_KEY, SUPPORTDESK_BASE_URL: emulator.baseUrl },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      let screen = '';
      child.stdout.setEncoding('utf8').on('data', (text: string) => {
        screen += text;
      });
      const status = await new Promise((resolve) => child.once('close', resolve));
      expect(status).toBe(0);
      expect(screen).toContain(`${ESCAPE}[1G[`);
      expect(screen).toMatch(
        /\[#+-*\] \d+% \| [\d,]+ rows \| [\d,]+ rows\/s \| (ETA [^|]+ \| )?0 failed \| 0 invalid/,
      );
      expect(screen).toMatch(/\[#{24}\] 100% \| 300 rows/);
      expect(screen).toMatch(/Imported users\.jsonl: 300 rows/);
      expect(screen).not.toMatch(COLOUR);
    },
  );

  it('is plain text, without a bar or escape codes, when stderr is not a terminal', async () => {
    const dir = workDir();
    writeJsonl(dir, 'users.jsonl', users(50));
    const run = await runCli(['import', 'users.jsonl'], {
      cwd: dir,
      env: { SUPPORTDESK_API_KEY: API_KEY, SUPPORTDESK_BASE_URL: emulator.baseUrl },
    });
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain(ESCAPE);
    expect(run.stdout).not.toContain(ESCAPE);
  });
});
