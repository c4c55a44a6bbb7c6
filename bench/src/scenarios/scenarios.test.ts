import { describe, expect, it } from 'vitest';
import { parseOptions, type ScenarioId } from '../cli/options.js';
import type { ScenarioResult, TargetFigures, TargetName } from '../results.js';
import { assembleScenarios, computeRatios, findProblems, targetFigures } from './assemble.js';
import type { RoundFigure } from './catalog.js';
import { roundOrder, type Collected } from './rounds.js';
import { stormFigure } from './storm.js';
import { computeVariantRatios, durableVariants, variantOrder } from './variants.js';
import { isGeneratorBound } from './window.js';

describe('isGeneratorBound', () => {
  it.each([
    [1.3, 0.3, 2, 2, false], // 2 cores, target at 0.3: the generator may use 1.7, 90% is 1.53
    [1.6, 0.3, 2, 2, true],
    [1.13, 0.63, 2, 2, true], // together 88% of the machine, the target short of its core
    [1.0, 0.6, 2, 2, false], // 80% of the machine: room left for the target
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
    const lat = (p99: number) => ({ count: 1, p1: 1, p50: 1, p90: 1, p99, p999: 1, max: 1 });
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
  // The embedded engine alone: the Redis engine's figures have tests of their own (variants).
  const options = parseOptions([
    ...['--targets', 'hubcast,ws', '--scenarios', 'M6,M8', '--engines', 'embedded'],
  ]);
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

describe('storm', () => {
  const options = parseOptions(['--targets', 'hubcast,ws', '--scenarios', 'storm']);
  const clean = { recoveryMs: 11_000, failed: 0, failedReconnects: 0, resets: 0, rejected: 0 };

  it('expects the peers to lose events, never hubcast', () => {
    const [sc] = assembleScenarios(
      collected('storm', { hubcast: [round(clean)], ws: [round(clean, { lost: 40 })] }),
      options,
    );
    expect(sc?.lossExpected).toEqual(['ws']);
    expect(findProblems(sc === undefined ? [] : [sc], options)).toEqual([]);
    const lossy = assembleScenarios(
      collected('storm', {
        hubcast: [round(clean, { lost: 1, duplicated: 2 })],
        ws: [round(clean, { lost: 40 })],
      }),
      options,
    );
    expect(findProblems(lossy, options)).toEqual([
      'storm hubcast: 1 deliveries lost',
      'storm hubcast: 2 deliveries duplicated',
    ]);
  });

  it('names resets (hubcast only), clients that never came back and refused publishes', () => {
    const runs = assembleScenarios(
      collected('storm', {
        hubcast: [round({ ...clean, resets: 3 }), round({ ...clean, failedReconnects: 2 })],
        ws: [round({ ...clean, resets: 9, rejected: 1, failed: 4 })],
      }),
      options,
    );
    expect(findProblems(runs, options)).toEqual([
      'storm hubcast: 2 clients not live again after the restart',
      'storm hubcast: 3 resumes refused (resets)',
      'storm ws: 4 clients failed to connect',
      'storm ws: 1 publishes refused',
    ]);
  });

  it('figures: the time from the signal to the last client back, per-client outages, the books', () => {
    const f = stormFigure(
      {
        clients: 4,
        back: 4,
        firstDropMs: 1010,
        lastLiveMs: 12_000,
        reconnectMs: Float64Array.from([400, 100, 300, 200]),
        resets: 0,
        failedAttempts: 5,
        failures: ['connect ECONNREFUSED'],
        drops: 5,
        closes: { '4000': 4, '1006': 1 },
      },
      {
        clients: 4,
        live: 4,
        deliveries: 40,
        lost: 6,
        duplicated: 1,
        clientsWithLoss: 2,
        maxLostPerClient: 4,
        clientsWithDuplicates: 1,
      },
      {
        published: 10,
        accepted: 10,
        retries: 3,
        duplicateAcks: 1,
        rejected: 0,
        rejections: [],
      },
      { signalAtMs: 1000, exitedAtMs: 1500, listeningAtMs: 1900 },
    );
    expect(f.metrics).toMatchObject({
      recoveryMs: 11_000,
      drainMs: 500,
      downMs: 900,
      reconnectP50Ms: 200,
      reconnectP99Ms: 400,
      failedReconnects: 0,
      refusedAttempts: 5,
      extraDrops: 1,
      publishRetries: 3,
      duplicateAcks: 1,
      lostPerClient: 1.5,
      maxLostPerClient: 4,
    });
    expect({ lost: f.lost, duplicated: f.duplicated }).toEqual({ lost: 6, duplicated: 1 });
    expect(f.notes).toContain('4 connection(s) closed with 4000');
  });

  it('has no recovery figure while a client is still away', () => {
    const f = stormFigure(
      {
        clients: 2,
        back: 1,
        firstDropMs: 1,
        lastLiveMs: 50,
        reconnectMs: Float64Array.from([49]),
        resets: 0,
        failedAttempts: 0,
        failures: [],
        drops: 2,
        closes: {},
      },
      {
        clients: 2,
        live: 1,
        deliveries: 0,
        lost: 0,
        duplicated: 0,
        clientsWithLoss: 0,
        maxLostPerClient: 0,
        clientsWithDuplicates: 0,
      },
      { published: 0, accepted: 0, retries: 0, duplicateAcks: 0, rejected: 0, rejections: [] },
      { signalAtMs: 0, exitedAtMs: 0, listeningAtMs: 0 },
    );
    expect(f.metrics['recoveryMs']).toBeNaN();
    expect(f.metrics['failedReconnects']).toBe(1);
  });
});

describe('durable', () => {
  it.each([
    [['normal'], 0, ['sqlite', 'memory']],
    [['normal'], 1, ['memory', 'sqlite']], // rounds rotate, as the targets do
    [['normal', 'full'], 1, ['sqlite-full', 'memory', 'sqlite']],
    [['full'], 0, ['sqlite-full', 'memory']],
  ] as const)('syncs %j, round %i: %j', (syncs, r, order) => {
    expect(variantOrder(durableVariants(syncs), r)).toEqual(order);
  });

  it('adds the Redis log last with the Redis engine', () => {
    expect(durableVariants(['normal'], ['embedded', 'redis'])).toEqual([
      'sqlite',
      'memory',
      'redis',
    ]);
  });

  const options = parseOptions([
    ...['--scenarios', 'durable', '--sqlite-sync', 'normal,full', '--engines', 'embedded'],
  ]);
  const v = (variant: string, publishesPerSec: number, extra: Partial<RoundFigure> = {}) =>
    round({ publishesPerSec, errors: 0 }, { variant, ...extra });

  it('gives each log its own figures, in report order, and the ratios to the memory log', () => {
    const scenarios = assembleScenarios(
      collected('durable', {
        hubcast: [
          v('memory', 20_000),
          v('sqlite', 14_000),
          v('sqlite-full', 9000),
          v('sqlite', 16_000),
          v('memory', 24_000),
          v('sqlite-full', 11_000),
        ],
      }),
      options,
    );
    const sc = scenarios[0];
    expect(sc?.targets.map((t) => [t.target, t.variant, t.median['publishesPerSec']])).toEqual([
      ['hubcast', 'sqlite', 15_000],
      ['hubcast', 'sqlite-full', 10_000],
      ['hubcast', 'memory', 22_000],
    ]);
    expect(sc?.connections).toBe(64);
    expect(computeRatios(scenarios)).toEqual({});
    expect(computeVariantRatios(scenarios)).toEqual({
      durable: [
        { numerator: 'sqlite', denominator: 'memory', ratio: 15_000 / 22_000 },
        { numerator: 'sqlite-full', denominator: 'memory', ratio: 10_000 / 22_000 },
      ],
    });
    expect(findProblems(scenarios, options)).toEqual([]);
  });

  it('names a missing log, publishes that failed, and acknowledged events not in the log once', () => {
    const scenarios = assembleScenarios(
      collected('durable', {
        hubcast: [
          v('sqlite', 14_000, { lost: 2, metrics: { publishesPerSec: 14_000, errors: 5 } }),
          v('memory', 20_000, { duplicated: 1 }),
        ],
      }),
      options,
    );
    expect(findProblems(scenarios, options)).toEqual([
      'durable hubcast (sqlite log): 2 deliveries lost',
      'durable hubcast (sqlite log): 5 publishes failed',
      'durable hubcast (sqlite-full log): no figures',
      'durable hubcast (memory log): 1 deliveries duplicated',
    ]);
    // A side that lost or duplicated events has no ratio.
    expect(computeVariantRatios(scenarios)).toEqual({});
  });

  it('is left out, not failed, when hubcast is not a target', () => {
    const wsOnly = parseOptions(['--scenarios', 'durable', '--targets', 'ws']);
    expect(findProblems([], wsOnly)).toEqual([]);
  });
});

/** The figures of some rounds as the rounds runner files them. */
function collected(
  id: ScenarioId,
  byTarget: Partial<Record<TargetName, RoundFigure[]>>,
): Collected {
  return new Map([[id, new Map(Object.entries(byTarget) as [TargetName, RoundFigure[]][])]]);
}
