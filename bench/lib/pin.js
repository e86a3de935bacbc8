import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/**
 * Pins every thread of process `pid` to CPU `cpu` with `taskset` (Linux), so a server and its
 * load generator do not take turns on one core. Resolves to whether it worked: without
 * `taskset`, or on a machine with one core, the benchmark runs unpinned and says so.
 */
export function pinToCpu(cpu, pid = process.pid) {
  if (cpu === undefined) return false;
  try {
    execFileSync('taskset', ['--all-tasks', '--pid', '--cpu-list', String(cpu), String(pid)], {
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
}

/** The CPUs for the load generator and the server (0 and 1), when the machine has two or more. */
export function cpuPlan() {
  return availableParallelism() >= 2 ? { load: 0, server: 1 } : { load: undefined, server: undefined };
}
