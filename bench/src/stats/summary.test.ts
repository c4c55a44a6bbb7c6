import { describe, expect, it } from 'vitest';
import { concatSamples, median, medianIndex, quantileSorted, summarizeLatency } from './summary.js';

describe('quantileSorted', () => {
  const hundred = Float64Array.from({ length: 100 }, (_, i) => i + 1);
  it.each([
    [0.5, 50],
    [0.99, 99],
    [0.999, 100], // nearest rank rounds up
    [1, 100],
    [0, 1],
  ])('q=%f of 1..100 is %f', (q, value) => {
    expect(quantileSorted(hundred, q)).toBe(value);
  });

  it('is NaN on no samples', () => {
    expect(quantileSorted([], 0.5)).toBeNaN();
  });
});

describe('summarizeLatency', () => {
  it('sorts and summarizes', () => {
    const s = summarizeLatency(Float64Array.from([5, 1, 3, 2, 4]));
    expect(s).toEqual({ count: 5, p1: 1, p50: 3, p90: 5, p99: 5, p999: 5, max: 5 });
  });
});

describe('median and medianIndex', () => {
  it.each([
    [[3, 1, 2], 2, 2],
    [[4, 1, 3, 2], 2.5, 3], // even count: mean of the middle two; index of the lower one
    [[Number.NaN, 7, 9], 8, 1], // NaN (a failed repetition) is left out
    [[], Number.NaN, 0],
  ])('%j → %f at index %i', (values, med, index) => {
    expect(median(values)).toEqual(med);
    expect(medianIndex(values)).toBe(index);
  });
});

describe('concatSamples', () => {
  it('joins arrays in order', () => {
    const out = concatSamples([
      Float64Array.from([1, 2]),
      new Float64Array(0),
      Float64Array.from([3]),
    ]);
    expect(Array.from(out)).toEqual([1, 2, 3]);
  });
});
