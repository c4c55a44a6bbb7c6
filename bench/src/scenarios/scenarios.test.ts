import { describe, expect, it } from 'vitest';
import { parseOptions } from '../cli/options.js';
import type { ScenarioResult, TargetFigures } from '../results.js';
import { computeRatios, findProblems, targetFigures } from './assemble.js';
import type { RoundFigure } from './catalog.js';
import { roundOrder } from './rounds.js';
import { isGeneratorBound } from './window.js';

describe('isGeneratorBound', () => {
  it.each([
    [1.4, 0.3, 2, 2, false], // 2 cores, target at 0.3: the generator may use 1.7, 90% is 1.53
    [1.6, 0.3, 2, 2, true],
    [1.0, 0.95, 2, 2, false], // the target is saturated: it is the bottleneck
    [0.95, 0.5, 1, 8, true], // one worker thread at 95%
    [0.5, 0.5, 4, 16, false],
  ])('generator %f, target %f, %i workers, %i cores → %s', (gen, target, workers, cores, bound) => {
    expect(isGeneratorBound(gen, target, workers, cores)).toBe(bound);
  });
});

describe('roundOrder', () => {
  it.each([
    [0, ['ws', 'hubcast', 'socketio']], // ws first: M6's rate comes from its M3
    [1, ['hubcast', 'socketio', 'ws']],
    [2, ['socketio', 'ws', 'hubcast']],
    [3, ['ws', 'hubcast', 'socketio']],
  ])('round %i', (round, order) => {
    expect(roundOrder(['hubcast', 'ws', 'socketio'], round)).toEqual(order);
  });

  it('keeps only the chosen targets', () => {
    expect(roundOrder(['socketio', 'hubcast'], 1)).toEqual(['socketio', 'hubcast']);
  });
});

function round(metrics: Record<string, number>, extra: Partial<RoundFigure> = {}): RoundFigure {
  return {
    metrics,
    lost: 0,
    duplicated: 0,
    generatorCpu: 0.5,
    targetCpu: 0.9,
    generatorBound: false,
    ...extra,
  };
}

describe('targetFigures', () => {
  it('takes medians per metric, the median round latency, and sums losses', () => {
    const lat = (p99: number) => ({ count: 1, p50: 1, p90: 1, p99, p999: 1, max: 1 });
    const t = targetFigures(
      'hubcast',
      [
        round({ p99Ms: 3, x: 10 }, { latency: lat(3) }),
        round({ p99Ms: 1, x: 30 }, { latency: lat(1), lost: 2 }),
        round({ p99Ms: 2, x: 20 }, { latency: lat(2), generatorBound: true, notes: ['n'] }),
      ],
      'p99Ms',
    );
    expect(t.median).toEqual({ p99Ms: 2, x: 20 });
    expect(t.latency?.p99).toBe(2);
    expect(t.lost).toBe(2);
    expect(t.generatorBound).toBe(true);
    expect(t.notes).toEqual(['round 3: n', 'generator-bound in round(s) 3']);
  });
});

function scenario(id: string, metric: string, figures: Partial<TargetFigures>[]): ScenarioResult {
  return {
    id,
    title: id,
    connections: 10,
    payloadBytes: 100,
    headline: { metric, unit: 'x', betterIs: 'lower' },
    targets: figures.map((f) => ({
      target: 'hubcast',
      rounds: [],
      median: {},
      lost: 0,
      duplicated: 0,
      generatorCpu: 0,
      targetCpu: 0,
      generatorBound: false,
      ...f,
    })),
  };
}

describe('computeRatios', () => {
  it('divides hubcast by each peer, leaving out a side that lost events', () => {
    const sc = scenario('M1', 'm', [
      { target: 'hubcast', median: { m: 6 } },
      { target: 'ws', median: { m: 4 } },
      { target: 'socketio', median: { m: 12 }, lost: 1 },
    ]);
    expect(computeRatios([sc])).toEqual({ M1: { ws: 1.5 } });
  });
});

describe('findProblems', () => {
  const options = { ...parseOptions(['--targets', 'hubcast,ws', '--scenarios', 'M6,M8']) };
  it('passes a clean run', () => {
    const runs = [
      scenario('M6', 'p99Ms', [
        { target: 'hubcast', median: { p99Ms: 2 } },
        { target: 'ws', median: { p99Ms: 3 } },
      ]),
      scenario('M8', 'rssGrowthBytes', [
        { target: 'hubcast', median: { rssGrowthBytes: -5, slowConnections: 3, slowClosed: 3 } },
        { target: 'ws', median: { rssGrowthBytes: 9 } },
      ]),
    ];
    expect(findProblems(runs, options)).toEqual([]);
  });

  it('names losses, duplicates, missing figures and unclosed slow consumers', () => {
    const runs = [
      scenario('M6', 'p99Ms', [
        { target: 'hubcast', median: { p99Ms: 2 }, lost: 4, duplicated: 1 },
        { target: 'ws', median: { p99Ms: Number.NaN } },
      ]),
      scenario('M8', 'rssGrowthBytes', [
        { target: 'hubcast', median: { rssGrowthBytes: 1, slowConnections: 3, slowClosed: 2 } },
      ]),
    ];
    expect(findProblems(runs, options)).toEqual([
      'M6 hubcast: 4 deliveries lost',
      'M6 hubcast: 1 deliveries duplicated',
      'M6 ws: no p99Ms figure',
      'M8 hubcast: closed 2 of 3 slow connections with 4001',
      'M8 ws: no figures',
    ]);
  });

  it('rooms: names failed connections, unsent messages, stray events and refused publishes', () => {
    const roomsOptions = parseOptions(['--targets', 'hubcast,ws', '--scenarios', 'rooms']);
    const clean = { p99Ms: 5, failed: 0, unsent: 0, stray: 0, refused: 0 };
    const runs = [
      scenario('rooms', 'p99Ms', [
        {
          target: 'hubcast',
          median: clean,
          // Summed over rounds: one bad round is a problem even when the median is clean.
          rounds: [clean, { ...clean, refused: 2, stray: 1 }, clean],
        },
        { target: 'ws', median: clean, rounds: [{ ...clean, failed: 3, unsent: 7 }] },
      ]),
    ];
    expect(findProblems(runs, roomsOptions)).toEqual([
      'rooms hubcast: 1 events reached a connection outside their room',
      'rooms hubcast: 2 publishes refused',
      'rooms ws: 3 connections failed',
      'rooms ws: 7 messages not sent',
    ]);
  });
});
