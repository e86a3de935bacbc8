import { describe, expect, it } from 'vitest';
import { Positions } from '../../src/import/positions.js';

describe('Positions', () => {
  it('moves completed only over a settled prefix, whatever order rows settle in', () => {
    const positions = new Positions(8);
    for (let i = 0; i < 4; i++) positions.take();
    expect(positions.settle(2)).toBe(false);
    expect(positions.settle(1)).toBe(false);
    expect(positions.completed).toBe(0);
    expect(positions.settle(0)).toBe(true);
    expect(positions.completed).toBe(3);
    positions.settle(3);
    expect(positions.completed).toBe(4);
  });

  it('is full once the read position is size rows ahead of completed', () => {
    const positions = new Positions(3);
    positions.take();
    positions.take();
    expect(positions.full).toBe(false);
    positions.take();
    expect(positions.full).toBe(true);
    positions.settle(1);
    expect(positions.full).toBe(true);
    positions.settle(0);
    expect(positions.full).toBe(false);
    expect(positions.read - positions.completed).toBe(1);
  });

  it('reuses its slots around the ring without mixing up old and new rows', () => {
    const positions = new Positions(2);
    for (let i = 0; i < 1_000; i++) {
      const index = positions.take();
      expect(index).toBe(i);
      positions.settle(index);
    }
    expect(positions.completed).toBe(1_000);
    positions.take();
    positions.take();
    positions.settle(1_001);
    expect(positions.completed).toBe(1_000);
  });

  it('wakes the reader waiting for room when completed moves, or when told to', async () => {
    const positions = new Positions(1);
    positions.take();
    const room = positions.room();
    positions.settle(0);
    await room;
    const again = positions.room();
    positions.wake();
    await again;
    expect(positions.completed).toBe(1);
  });
});
