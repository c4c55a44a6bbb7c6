/** Percentiles and medians of bench figures. Pure, so the rounding rules are tested once. */
import type { LatencySummary } from '../results.js';

/** The value at quantile `q` (0..1) of an ascending array, nearest-rank; NaN when empty. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const rank = Math.ceil(q * n);
  return sorted[Math.min(n - 1, Math.max(0, rank - 1))] as number;
}

/** Latency percentiles of `samples` (sorted in place). */
export function summarizeLatency(samples: Float64Array): LatencySummary {
  samples.sort();
  return {
    count: samples.length,
    p1: quantileSorted(samples, 0.01),
    p50: quantileSorted(samples, 0.5),
    p90: quantileSorted(samples, 0.9),
    p99: quantileSorted(samples, 0.99),
    p999: quantileSorted(samples, 0.999),
    max: samples.length === 0 ? Number.NaN : (samples[samples.length - 1] as number),
  };
}

/** The median of finite values (the mean of the middle two for an even count); NaN when none. */
export function median(values: readonly number[]): number {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return Number.NaN;
  const mid = xs.length >> 1;
  return xs.length % 2 === 1
    ? (xs[mid] as number)
    : ((xs[mid - 1] as number) + (xs[mid] as number)) / 2;
}

/** The index of the element whose value is the (lower) median: its other figures go along. */
export function medianIndex(values: readonly number[]): number {
  const order = values
    .map((v, i) => [v, i] as const)
    .filter(([v]) => Number.isFinite(v))
    .sort((a, b) => a[0] - b[0]);
  if (order.length === 0) return 0;
  return (order[(order.length - 1) >> 1] as readonly [number, number])[1];
}

/** Concatenates sample arrays into one. */
export function concatSamples(parts: readonly Float64Array[]): Float64Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Float64Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
