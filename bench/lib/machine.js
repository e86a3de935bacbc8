import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';

/**
 * The facts the README records beside each figure: cores, CPU model, Node version and date, and
 * the 1-minute load average, since timings taken on a busy machine say more about the machine.
 */
export function describeMachine() {
  let cpu = 'unknown CPU';
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match?.[1]) cpu = match[1].trim();
  } catch {
    // No /proc on macOS or Windows: the model is only a label, so go on without it.
  }
  return {
    cores: availableParallelism(),
    cpu,
    node: process.version,
    date: new Date().toISOString().slice(0, 10),
    loadAverage: loadavg()[0] ?? 0,
  };
}
