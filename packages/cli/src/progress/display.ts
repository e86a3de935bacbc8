import cliProgress from 'cli-progress';
import { count, etaMs, type ProgressState, progressLine, rate, seconds, share } from './format.js';

/** Where progress goes while the import runs: a bar on a terminal, plain lines otherwise. */
export interface ProgressDisplay {
  update(state: ProgressState): void;
  stop(): void;
}

/** How often the plain-line display writes a line. */
export const LINE_INTERVAL_MS = 5_000;

/** The bar's line: `[####----] 45% | 12,345 rows | 310 rows/s | ETA 40 s | 3 failed | 0 invalid`. */
export function barText(state: ProgressState, bar: string): string {
  const part = share(state);
  const eta = etaMs(state);
  const parts = [
    part === undefined ? undefined : `${bar} ${Math.floor(part * 100)}%`,
    `${count(state.rows)} rows`,
    `${count(rate(state))} rows/s`,
    eta === undefined ? undefined : `ETA ${seconds(eta)}`,
    `${count(state.failed)} failed`,
    `${count(state.invalid)} invalid`,
    state.paused ? 'paused by a rate limit (429)' : undefined,
  ];
  return parts.filter((text) => text !== undefined).join(' | ');
}

/**
 * A bar redrawn in place on stderr (cli-progress draws it, at most 10 times a second, fitted to
 * the terminal's width), for a terminal. No colours, so `NO_COLOR` holds as it is.
 */
export class ProgressBar implements ProgressDisplay {
  readonly #bar: cliProgress.SingleBar;
  #started = false;

  constructor(stream: NodeJS.WritableStream) {
    this.#bar = new cliProgress.SingleBar({
      stream,
      hideCursor: true,
      barsize: 24,
      barCompleteChar: '#',
      barIncompleteChar: '-',
      format: (options, params, payload: { state: ProgressState }) =>
        barText(payload.state, `[${cliProgress.Format.BarFormat(params.progress, options)}]`),
    });
  }

  update(state: ProgressState): void {
    const total = state.size ?? 0;
    if (!this.#started) {
      this.#started = true;
      this.#bar.start(Math.max(total, 1), state.bytes, { state });
    } else this.#bar.update(state.bytes, { state });
  }

  stop(): void {
    if (this.#started) this.#bar.stop();
  }
}

/** A plain line every {@link LINE_INTERVAL_MS} on stderr, for logs, pipes and CI: nothing animated. */
export class ProgressLines implements ProgressDisplay {
  readonly #timer: ReturnType<typeof setInterval>;
  #state: ProgressState | undefined;
  #shown: ProgressState | undefined;

  constructor(write: (line: string) => void, intervalMs = LINE_INTERVAL_MS) {
    this.#timer = setInterval(() => {
      const state = this.#state;
      if (state === undefined || state === this.#shown) return;
      this.#shown = state;
      write(`supportdesk import: ${progressLine(state)}\n`);
    }, intervalMs);
    this.#timer.unref();
  }

  update(state: ProgressState): void {
    this.#state = state;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
