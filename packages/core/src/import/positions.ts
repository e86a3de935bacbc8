/**
 * The rows between the resume point and the read position: which are settled, and whether the
 * source may be read further. Rows settle in any order; `completed` only moves over a settled
 * prefix, so it is always safe to resume from. The window is a fixed ring of `size` flags, so
 * memory does not depend on the source.
 */
export class Positions {
  readonly #settled: Uint8Array;
  readonly #size: number;
  #read = 0;
  #completed = 0;
  #waiting: (() => void) | undefined;

  /** @param size how far the read position may run ahead of `completed` */
  constructor(size: number) {
    this.#size = size;
    this.#settled = new Uint8Array(size);
  }

  /** Rows taken from the source. */
  get read(): number {
    return this.#read;
  }

  /** Leading rows all settled. */
  get completed(): number {
    return this.#completed;
  }

  /** Whether reading another row would run more than `size` rows ahead of `completed`. */
  get full(): boolean {
    return this.#read - this.#completed >= this.#size;
  }

  /** The position of the row just read. Check {@link full} first. */
  take(): number {
    return this.#read++;
  }

  /** Marks row `index` settled; `true` when `completed` moved. */
  settle(index: number): boolean {
    this.#settled[index % this.#size] = 1;
    if (index !== this.#completed) return false;
    while (this.#completed < this.#read && this.#settled[this.#completed % this.#size] === 1) {
      this.#settled[this.#completed % this.#size] = 0;
      this.#completed++;
    }
    this.wake();
    return true;
  }

  /** Resolves once {@link settle} moves `completed`, or {@link wake} is called. One waiter at a time. */
  room(): Promise<void> {
    return new Promise((resolve) => {
      this.#waiting = resolve;
    });
  }

  /** Lets the reader waiting in {@link room} go on (to notice that the import stopped). */
  wake(): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.();
  }
}
