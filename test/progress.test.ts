import { describe, expect, it } from 'vitest';
import { SmoothedRate, formatEta } from '../src/cli/progress.js';

describe('progress ETA', () => {
  it('does not jump when one chunk is slow or a burst is fast', () => {
    const rate = new SmoothedRate(3);
    let t = 0;
    let done = 0;
    // 10 s at a steady 1,000 rows/s, one update every 100 ms.
    for (let i = 0; i < 100; i++) rate.sample((done += 100), (t += 100));
    expect(rate.perSecond).toBeCloseTo(1000, 0);
    const before = rate.eta(done, 20_000)!;
    expect(before).toBe(10);
    // One chunk takes a full second (a checkpoint, say): the raw rate drops tenfold, the ETA barely moves.
    rate.sample((done += 100), (t += 1000));
    const after = rate.eta(done, 20_000)!;
    expect(after).toBeGreaterThan(before);
    expect(after).toBeLessThan(before * 1.5);
    // A burst of ten chunks in 10 ms does not halve it either.
    for (let i = 0; i < 10; i++) rate.sample((done += 100), (t += 1));
    expect(rate.eta(done, 20_000)!).toBeGreaterThan(5);
  });

  it('is the plain average over the first second, and unknown before any sample', () => {
    const rate = new SmoothedRate();
    expect(rate.eta(0, 100)).toBeUndefined();
    rate.sample(0, 0);
    rate.sample(300, 100);
    rate.sample(400, 500);
    expect(rate.perSecond).toBeCloseTo(800, 5);
    expect(rate.eta(400, 1200)).toBe(1);
  });

  it('formats like cli-progress', () => {
    expect([formatEta(undefined), formatEta(0), formatEta(9), formatEta(75), formatEta(3725)]).toEqual(['…', '0s', '9s', '1m15s', '1h02m']);
  });
});
