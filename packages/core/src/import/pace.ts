/** A 429 halves the pace, but never below this many sends per second (or `maxPerSecond` if lower). */
const FLOOR_PER_SECOND = 1;
/** After a second without a 429, the pace climbs back by this share of `maxPerSecond`. */
const RECOVERY_SHARE = 0.1;
const SECOND_MS = 1_000;

/**
 * `maxPerSecond`: sends spaced evenly, `1000 / rate` ms apart, with no burst. A 429 halves the
 * rate (the limit is lower than the caller thought); each second without one adds back a tenth
 * of `maxPerSecond`, up to it. Without `maxPerSecond` there is no pace: only the 429 pause
 * slows the import.
 */
export class Pace {
  readonly #maxPerSecond: number | undefined;
  readonly #floor: number;
  #perSecond: number;
  #nextAt = Number.NEGATIVE_INFINITY;
  #calmSince = 0;

  constructor(maxPerSecond: number | undefined) {
    this.#maxPerSecond = maxPerSecond;
    this.#perSecond = maxPerSecond ?? Number.POSITIVE_INFINITY;
    this.#floor = Math.min(maxPerSecond ?? FLOOR_PER_SECOND, FLOOR_PER_SECOND);
  }

  /** The pace now, in sends per second (`Infinity` without `maxPerSecond`). */
  get perSecond(): number {
    return this.#perSecond;
  }

  /** Milliseconds to wait at `now` before the next send may go (0: it may go now). */
  delayMs(now: number): number {
    return Math.max(0, this.#nextAt - now);
  }

  /** Books the next send's slot at `now`. */
  take(now: number): void {
    const max = this.#maxPerSecond;
    if (max === undefined) return;
    if (this.#perSecond < max && now - this.#calmSince >= SECOND_MS) {
      this.#perSecond = Math.min(max, this.#perSecond + max * RECOVERY_SHARE);
      this.#calmSince = now;
    }
    this.#nextAt = Math.max(this.#nextAt, now) + SECOND_MS / this.#perSecond;
  }

  /** A 429 at `now`: the limit is lower than the pace. */
  slowDown(now: number): void {
    if (this.#maxPerSecond === undefined) return;
    this.#perSecond = Math.max(this.#floor, this.#perSecond / 2);
    this.#calmSince = now;
  }
}
