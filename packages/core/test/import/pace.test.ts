import { describe, expect, it } from 'vitest';
import { Pace } from '../../src/import/pace.js';

describe('Pace', () => {
  it('never waits without maxPerSecond', () => {
    const pace = new Pace(undefined);
    for (let i = 0; i < 100; i++) pace.take(0);
    pace.slowDown(0);
    expect(pace.delayMs(0)).toBe(0);
    expect(pace.perSecond).toBe(Number.POSITIVE_INFINITY);
  });

  it('spaces sends 1000 / maxPerSecond ms apart, with no burst', () => {
    const pace = new Pace(4);
    expect(pace.delayMs(0)).toBe(0);
    pace.take(0);
    expect(pace.delayMs(0)).toBe(250);
    expect(pace.delayMs(100)).toBe(150);
    pace.take(250);
    expect(pace.delayMs(250)).toBe(250);
  });

  it('does not bank slots during a quiet spell', () => {
    const pace = new Pace(10);
    pace.take(0);
    pace.take(10_000);
    expect(pace.delayMs(10_000)).toBe(100);
  });

  it('halves the pace on a 429, down to one send a second at the lowest', () => {
    const pace = new Pace(40);
    pace.slowDown(0);
    expect(pace.perSecond).toBe(20);
    for (let i = 0; i < 10; i++) pace.slowDown(0);
    expect(pace.perSecond).toBe(1);
  });

  it('keeps a maxPerSecond below one send a second as its floor', () => {
    const pace = new Pace(0.5);
    pace.slowDown(0);
    expect(pace.perSecond).toBe(0.5);
  });

  it('climbs back by a tenth of maxPerSecond per calm second, up to maxPerSecond', () => {
    const pace = new Pace(100);
    pace.slowDown(0);
    expect(pace.perSecond).toBe(50);
    pace.take(500);
    expect(pace.perSecond).toBe(50);
    pace.take(1_000);
    expect(pace.perSecond).toBe(60);
    for (let second = 2; second < 20; second++) pace.take(second * 1_000);
    expect(pace.perSecond).toBe(100);
  });
});
