import { afterEach, describe, expect, it, vi } from 'vitest';
import { barText, ProgressLines } from '../../src/progress/display.js';
import { type ProgressState, progressLine, seconds } from '../../src/progress/format.js';

const state = (overrides: Partial<ProgressState> = {}): ProgressState => ({
  rows: 4_500,
  skipped: 0,
  startShare: 0,
  bytes: 450,
  size: 1_000,
  failed: 3,
  invalid: 1,
  paused: false,
  elapsedMs: 10_000,
  ...overrides,
});

afterEach(() => {
  vi.useRealTimers();
});

describe('progress', () => {
  it('shows rows, percent of the input, rate, ETA and failures on the bar', () => {
    expect(barText(state(), '[###---]')).toBe(
      '[###---] 45% | 4,500 rows | 450 rows/s | ETA 12 s | 3 failed | 1 invalid',
    );
  });

  it('leaves out the bar, percent and ETA when the size is unknown (stdin), and says when paused', () => {
    expect(barText(state({ size: undefined, paused: true }), '[]')).toBe(
      '4,500 rows | 450 rows/s | 3 failed | 1 invalid | paused by a rate limit (429)',
    );
  });

  it('times the ETA from where this run started (a resume passes over the start fast)', () => {
    expect(progressLine(state({ startShare: 0.4, bytes: 700, elapsedMs: 3_000 }))).toContain('ETA 3.0 s');
  });

  it.each([
    [1_234, '1.2 s'],
    [42_000, '42 s'],
    [125_000, '2 min 05 s'],
    [3_726_000, '1 h 02 min'],
  ])('writes %d ms as %s', (ms, text) => {
    expect(seconds(ms)).toBe(text);
  });

  it('writes a plain line every interval, only when something changed', () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const display = new ProgressLines((line) => lines.push(line), 5_000);
    display.update(state());
    vi.advanceTimersByTime(5_000);
    vi.advanceTimersByTime(5_000);
    display.update(state({ rows: 9_000, bytes: 900 }));
    vi.advanceTimersByTime(5_000);
    display.stop();
    vi.advanceTimersByTime(5_000);
    expect(lines).toEqual([
      'supportdesk import: 4,500 rows (45% of the input), 450 rows/s, ETA 12 s, 3 failed, 1 invalid\n',
      'supportdesk import: 9,000 rows (90% of the input), 900 rows/s, ETA 1.1 s, 3 failed, 1 invalid\n',
    ]);
  });
});
