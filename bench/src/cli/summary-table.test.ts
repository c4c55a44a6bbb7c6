import { describe, expect, it } from 'vitest';
import type { BenchRun, TargetFigures } from '../results.js';
import { summaryTable } from './summary-table.js';

function fig(target: TargetFigures['target'], value: number, variant?: string): TargetFigures {
  return {
    target,
    ...(variant === undefined ? {} : { variant }),
    rounds: [{ timeToLastMs: value }],
    median: { timeToLastMs: value },
    lost: 0,
    duplicated: 0,
    generatorCpu: 0.5,
    targetCpu: 0.5,
    generatorBound: false,
  };
}

describe('summaryTable', () => {
  it('puts a hubcast configuration on a row of its own, in the hubcast column, and its ratio below', () => {
    const run = {
      scenarios: [
        {
          id: 'M2',
          title: 'M2',
          connections: 10,
          payloadBytes: 100,
          headline: { metric: 'timeToLastMs', unit: 'ms', betterIs: 'lower' },
          targets: [fig('hubcast', 80), fig('hubcast', 96, 'redis'), fig('ws', 100)],
        },
      ],
      ratios: { M2: { ws: 0.8 } },
      variantRatios: { M2: [{ numerator: 'redis', denominator: 'embedded', ratio: 1.2 }] },
    } as unknown as BenchRun;
    const lines = summaryTable(run).split('\n');
    const [head, plain, redis] = lines;
    const column = (line: string | undefined, text: string): number => line?.indexOf(text) ?? -1;
    expect(plain).toMatch(/^M2 +Time to last +80 ms +100 ms +0\.80x$/);
    expect(redis).toMatch(/^M2 +Time to last · redis +96 ms$/);
    expect(column(redis, '96 ms')).toBe(column(head, 'hubcast '));
    expect(lines).toContain('M2: redis / embedded 1.20x (goal ≤ 1.2x ✓)');
  });
});
