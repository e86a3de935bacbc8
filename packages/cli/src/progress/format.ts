/** How the command writes numbers and durations: `12,345`, `3.2 s`, `4 min 05 s`. */

export const count = (value: number): string => Math.round(value).toLocaleString('en-US');

export function seconds(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const total = Math.round(ms / 1000);
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (total < 60) return `${total} s`;
  const minutes = Math.floor(total / 60);
  if (minutes < 60) return `${minutes} min ${String(total % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** What a progress display shows: rows settled, how far into the input, speed, time left, failures. */
export interface ProgressState {
  /** Rows settled since this run started (passed-over rows not counted). */
  rows: number;
  /** Rows of the input before the resume point. */
  skipped: number;
  /** Share of the input read when this run's own rows started (a resume passes over the rest fast): for the ETA. */
  startShare: number;
  /** Bytes of the input read, and its size when known. */
  bytes: number;
  size: number | undefined;
  failed: number;
  invalid: number;
  paused: boolean;
  elapsedMs: number;
}

/** Rows per second since the start of this run. */
export const rate = (state: ProgressState): number =>
  state.elapsedMs > 0 ? (state.rows * 1000) / state.elapsedMs : 0;

/** Share of the input read, from 0 to 1, when its size is known. */
export const share = (state: ProgressState): number | undefined =>
  state.size === undefined || state.size === 0 ? undefined : Math.min(1, state.bytes / state.size);

/** Time left, from the share of the input read so far and the time it took. */
export function etaMs(state: ProgressState): number | undefined {
  const now = share(state);
  if (now === undefined || now <= state.startShare || state.elapsedMs <= 0) return undefined;
  return ((1 - now) * state.elapsedMs) / (now - state.startShare);
}

/** One plain progress line, for logs and pipes: `12,345 rows (45%), 310 rows/s, ETA 40 s, 3 failed`. */
export function progressLine(state: ProgressState): string {
  const parts = [`${count(state.rows)} rows`];
  const part = share(state);
  if (part !== undefined) parts[0] += ` (${Math.floor(part * 100)}% of the input)`;
  parts.push(`${count(rate(state))} rows/s`);
  const eta = etaMs(state);
  if (eta !== undefined) parts.push(`ETA ${seconds(eta)}`);
  parts.push(`${count(state.failed)} failed`, `${count(state.invalid)} invalid`);
  if (state.paused) parts.push('paused by a rate limit (429), waiting');
  return parts.join(', ');
}
