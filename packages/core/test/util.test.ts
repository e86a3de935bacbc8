import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isThenable, messageOf, withTimeout } from '../src/util.js';

const timedOut = () => new Error('timed out');

describe('withTimeout', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves with the value of work that settles in time', async () => {
    await expect(withTimeout(Promise.resolve('ok'), 100, timedOut)).resolves.toBe('ok');
  });

  it('clears its timer once the work settles', async () => {
    await withTimeout(Promise.resolve('ok'), 100, timedOut);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('clears its timer once the work fails', async () => {
    await withTimeout(Promise.reject(new Error('boom')), 100, timedOut).catch(() => {});
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects with the timeout error when the work is slower than timeoutMs', async () => {
    const result = withTimeout(new Promise(() => {}), 100, timedOut);
    vi.advanceTimersByTime(100);
    vi.runOnlyPendingTimers();
    await expect(result).rejects.toThrow('timed out');
  });

  it('keeps a reply that arrived in the turn its timer fell due', async () => {
    let finish: (value: string) => void = () => {};
    const work = new Promise<string>((resolve) => {
      finish = resolve;
    });
    const result = withTimeout(work, 100, timedOut);
    vi.advanceTimersByTime(100);
    finish('ok');
    await Promise.resolve();
    vi.runOnlyPendingTimers();
    await expect(result).resolves.toBe('ok');
  });

  it('observes a rejection that comes after the timeout', async () => {
    let fail: (error: Error) => void = () => {};
    const work = new Promise<never>((_resolve, reject) => {
      fail = reject;
    });
    const result = withTimeout(work, 100, timedOut);
    vi.advanceTimersByTime(100);
    vi.runOnlyPendingTimers();
    await expect(result).rejects.toThrow('timed out');
    fail(new Error('late'));
    // Vitest fails the run on an unhandled rejection; give it a turn to surface.
    await vi.advanceTimersByTimeAsync(0);
  });
});

describe('withTimeout and late answers', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('hands a value that arrives after the timeout to onLate', async () => {
    let finish: (value: string) => void = () => {};
    const work = new Promise<string>((resolve) => {
      finish = resolve;
    });
    const late: string[] = [];
    const result = withTimeout(work, 100, timedOut, (value) => late.push(value));
    vi.advanceTimersByTime(100);
    vi.runOnlyPendingTimers();
    await expect(result).rejects.toThrow('timed out');
    finish('claimed');
    await vi.advanceTimersByTimeAsync(0);
    expect(late).toEqual(['claimed']);
  });

  it('does not call onLate for a value that arrived in time', async () => {
    const onLate = vi.fn();
    await expect(withTimeout(Promise.resolve('ok'), 100, timedOut, onLate)).resolves.toBe('ok');
    expect(onLate).not.toHaveBeenCalled();
  });

  it('keeps an onLate that throws from becoming an unhandled rejection', async () => {
    let finish: (value: string) => void = () => {};
    const work = new Promise<string>((resolve) => {
      finish = resolve;
    });
    const result = withTimeout(work, 100, timedOut, () => {
      throw new Error('clean-up failed');
    });
    vi.advanceTimersByTime(100);
    vi.runOnlyPendingTimers();
    await expect(result).rejects.toThrow('timed out');
    finish('late');
    await vi.advanceTimersByTimeAsync(0);
  });
});

describe('messageOf', () => {
  it.each([
    [new Error('boom'), 'boom'],
    ['plain text', 'plain text'],
    [42, '42'],
    [undefined, 'undefined'],
  ])('reads %j as %j', (thrown, message) => {
    expect(messageOf(thrown)).toBe(message);
  });

  it('answers for a value whose toString throws', () => {
    const hostile = {
      toString() {
        throw new Error('no');
      },
    };
    expect(messageOf(hostile)).toBe('an unprintable value was thrown');
  });
});

describe('isThenable', () => {
  const withThen = <T extends object>(target: T, then: unknown): T => {
    Reflect.set(target, 'then', then);
    return target;
  };
  it.each([
    [Promise.resolve(1), true],
    [withThen({}, () => {}), true],
    [
      withThen(
        () => {},
        () => {},
      ),
      true,
    ],
    [withThen({}, 1), false],
    [null, false],
    ['then', false],
  ])('answers %j → %s', (value, expected) => {
    expect(isThenable(value)).toBe(expected);
  });
});
