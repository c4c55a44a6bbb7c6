import { describe, expect, it } from 'vitest';
import { formatProgress } from './progress-bar.js';

describe('formatProgress', () => {
  it.each([
    [0, 0, 10_000, 0, `${'connecting hubcast'.padEnd(20)} [${'.'.repeat(30)}] 0/10000  0/s`],
    [
      5000,
      0,
      10_000,
      2000,
      `${'connecting hubcast'.padEnd(20)} [${'#'.repeat(15)}${'.'.repeat(15)}] 5000/10000  2500/s`,
    ],
    [
      9990,
      10,
      10_000,
      1000,
      `${'connecting hubcast'.padEnd(20)} [${'#'.repeat(29)}.] 9990/10000  9990/s  10 failed`,
    ],
  ])('%i ready of %i', (ready, failed, total, elapsedMs, line) => {
    expect(formatProgress('connecting hubcast', ready, failed, total, elapsedMs)).toBe(line);
  });
});
