import { describe, expect, it } from 'vitest';
import { SampleBuffer } from './sample-buffer.js';

describe('SampleBuffer', () => {
  it('keeps every sample below the cap, growing as needed', () => {
    const b = new SampleBuffer(100, 2);
    for (let i = 0; i < 50; i++) b.add(i);
    expect(Array.from(b.take())).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(b.take().length).toBe(0);
  });

  it('keeps a uniform sample of `cap` values past the cap', () => {
    const b = new SampleBuffer(1000);
    for (let i = 0; i < 100_000; i++) b.add(i);
    expect(b.count).toBe(100_000);
    const kept = b.take();
    expect(kept.length).toBe(1000);
    const mean = kept.reduce((s, v) => s + v, 0) / kept.length;
    // The mean of a uniform sample of 0..99,999 is near 50,000 (sd of the mean ≈ 900).
    expect(Math.abs(mean - 50_000)).toBeLessThan(6000);
  });
});
