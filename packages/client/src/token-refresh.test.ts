import { describe, expect, it } from 'vitest';
import { refreshDelayMs } from './token-refresh.js';

const now = 1_700_000_000_000;
const inSeconds = (s: number): number => now / 1000 + s;

describe('refreshDelayMs', () => {
  it.each([
    // lifetime s, margin s (undefined = default), expected delay ms
    [3600, undefined, 3_570_000], // 30 s margin (10% would be 360 s)
    [300, undefined, 270_000], // 10% = 30 s exactly
    [100, undefined, 90_000], // 10% = 10 s < 30 s
    [3, undefined, 2700], // short test tokens: 10% = 0.3 s
    [3600, 60, 3_540_000], // explicit margin
    [10, 60, 0], // margin longer than the lifetime: refresh at once
    [0, undefined, 0], // expiring now
    [-5, undefined, 0], // already expired
  ])('lifetime %s s, margin %s -> %s ms', (lifetime, marginSeconds, delay) => {
    const timing = { expiresAtSeconds: inSeconds(lifetime), nowMs: now };
    const result = refreshDelayMs(
      marginSeconds === undefined ? timing : { ...timing, marginSeconds },
    );
    expect(result).toBeCloseTo(delay, 6);
  });
});
