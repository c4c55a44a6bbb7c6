import { describe, expect, it } from 'vitest';
import { parseOptions } from '../cli/options.js';
import type { TargetName } from '../results.js';
import { assembleScenarios, computeRatios, findProblems } from './assemble.js';
import type { RoundFigure } from './catalog.js';
import type { Collected } from './rounds.js';
import { computeVariantRatios, figureKeys, variantOrder } from './variants.js';

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

function collected(id: string, byTarget: Partial<Record<TargetName, RoundFigure[]>>): Collected {
  return new Map([
    [id as never, new Map(Object.entries(byTarget) as [TargetName, RoundFigure[]][])],
  ]);
}

describe('figureKeys', () => {
  const both = parseOptions([]);
  const embedded = parseOptions(['--engines', 'embedded']);
  it.each([
    ['M2', both, ['hubcast', 'hubcast·redis', 'ws', 'socketio']],
    ['M2', embedded, ['hubcast', 'ws', 'socketio']],
    ['rooms', both, ['hubcast', 'ws', 'socketio']], // rooms and storm stay embedded
    ['durable', both, ['hubcast·sqlite', 'hubcast·memory', 'hubcast·redis']],
    ['cluster', both, ['hubcast·local', 'hubcast·cross']],
    ['cluster', embedded, []], // left out: it needs the Redis engine
    ['redis-cost', both, ['hubcast·1-node', 'hubcast·2-nodes', 'hubcast·3-nodes']],
    ['workers', both, ['hubcast']],
    ['workers', parseOptions(['--targets', 'ws']), []],
    ['polling', both, ['hubcast·push', 'hubcast·polling']],
    ['polling', parseOptions(['--targets', 'ws']), []], // push needs hubcast
  ] as const)('%s', (id, options, keys) => {
    expect(
      figureKeys(id, options).map((k) =>
        k.variant === undefined ? k.target : `${k.target}·${k.variant}`,
      ),
    ).toEqual(keys);
  });
});

describe('variantOrder', () => {
  it.each([
    [0, ['embedded', 'redis']],
    [1, ['redis', 'embedded']],
    [2, ['embedded', 'redis']],
  ])('round %i: %j', (r, order) => {
    expect(variantOrder(['embedded', 'redis'], r)).toEqual(order);
  });
});

describe('the Redis engine in W1 (issue 11)', () => {
  const options = parseOptions(['--targets', 'hubcast,ws', '--scenarios', 'M2']);
  const m2 = (timeToLastMs: number, extra: Partial<RoundFigure> = {}): RoundFigure =>
    round({ timeToLastMs }, extra);

  it('keeps the embedded figure for the peers, and the Redis one for a ratio to it', () => {
    const scenarios = assembleScenarios(
      collected('M2', {
        // Filed in the order the rounds ran: the engines rotate.
        hubcast: [m2(80), m2(100, { variant: 'redis' }), m2(90, { variant: 'redis' }), m2(84)],
        ws: [m2(100), m2(110)],
      }),
      options,
    );
    const sc = scenarios[0];
    expect(sc?.targets.map((t) => [t.target, t.variant, t.median['timeToLastMs']])).toEqual([
      ['hubcast', undefined, 82],
      ['hubcast', 'redis', 95],
      ['ws', undefined, 105],
    ]);
    expect(computeRatios(scenarios)).toEqual({ M2: { ws: 82 / 105 } });
    expect(computeVariantRatios(scenarios)).toEqual({
      M2: [{ numerator: 'redis', denominator: 'embedded', ratio: 95 / 82 }],
    });
    expect(findProblems(scenarios, options)).toEqual([]);
  });

  it('names the Redis figure that is missing or lost events, and gives no ratio then', () => {
    const scenarios = assembleScenarios(
      collected('M2', {
        hubcast: [m2(80), m2(100, { variant: 'redis', lost: 3 })],
        ws: [m2(100)],
      }),
      options,
    );
    expect(findProblems(scenarios, options)).toEqual(['M2 hubcast (redis): 3 deliveries lost']);
    expect(computeVariantRatios(scenarios)).toEqual({});
    const withoutRedis = assembleScenarios(
      collected('M2', { hubcast: [m2(80)], ws: [m2(100)] }),
      options,
    );
    expect(findProblems(withoutRedis, options)).toEqual(['M2 hubcast (redis): no figures']);
  });
});

describe('durable, cluster, redis-cost and workers on the Redis engine', () => {
  it('durable: Redis / SQLite, and Redis / SQLite full', () => {
    const options = parseOptions(['--scenarios', 'durable', '--sqlite-sync', 'normal,full']);
    const v = (variant: string, publishesPerSec: number): RoundFigure =>
      round({ publishesPerSec, errors: 0 }, { variant });
    const scenarios = assembleScenarios(
      collected('durable', {
        hubcast: [
          v('redis', 6000),
          v('sqlite', 10_000),
          v('sqlite-full', 8000),
          v('memory', 12_000),
        ],
      }),
      options,
    );
    expect(scenarios[0]?.targets.map((t) => t.variant)).toEqual([
      'sqlite',
      'sqlite-full',
      'memory',
      'redis',
    ]);
    expect(computeVariantRatios(scenarios)['durable']).toEqual([
      { numerator: 'sqlite', denominator: 'memory', ratio: 10_000 / 12_000 },
      { numerator: 'sqlite-full', denominator: 'memory', ratio: 8000 / 12_000 },
      { numerator: 'redis', denominator: 'sqlite', ratio: 0.6 },
      { numerator: 'redis', denominator: 'sqlite-full', ratio: 0.75 },
    ]);
    expect(findProblems(scenarios, options)).toEqual([]);
  });

  it('cluster: cross / local, and connections that failed', () => {
    const options = parseOptions(['--scenarios', 'cluster']);
    const f = (variant: string, p99Ms: number, failed = 0): RoundFigure =>
      round({ p99Ms, failed }, { variant });
    const scenarios = assembleScenarios(
      collected('cluster', { hubcast: [f('cross', 30), f('local', 20, 2)] }),
      options,
    );
    expect(scenarios[0]?.targets.map((t) => t.variant)).toEqual(['local', 'cross']);
    expect(computeVariantRatios(scenarios)).toEqual({
      cluster: [{ numerator: 'cross', denominator: 'local', ratio: 1.5 }],
    });
    expect(findProblems(scenarios, options)).toEqual([
      'cluster hubcast (local): 2 connections failed',
    ]);
  });

  it('redis-cost: every node count, its publishes without errors', () => {
    const options = parseOptions(['--scenarios', 'redis-cost']);
    const f = (variant: string, errors = 0): RoundFigure =>
      round({ redisCpuPerPublishUs: 60, errors }, { variant });
    const scenarios = assembleScenarios(
      collected('redis-cost', { hubcast: [f('3-nodes'), f('1-node', 4)] }),
      options,
    );
    expect(scenarios[0]?.connections).toBe(64); // the publishers' sockets
    expect(findProblems(scenarios, options)).toEqual([
      'redis-cost hubcast (1-node): 4 publishes failed',
      'redis-cost hubcast (2-nodes): no figures',
    ]);
  });

  it('workers: every connection held, in every round', () => {
    const options = parseOptions(['--scenarios', 'workers', '--workers-connections', '38000']);
    const held = (connections: number): RoundFigure => round({ connections });
    const ok = assembleScenarios(collected('workers', { hubcast: [held(38_000)] }), options);
    expect(ok[0]?.connections).toBe(38_000);
    expect(findProblems(ok, options)).toEqual([]);
    const short = assembleScenarios(
      collected('workers', { hubcast: [held(38_000), held(37_210), held(38_000)] }),
      options,
    );
    expect(findProblems(short, options)).toEqual([
      'workers hubcast: held 37210 of 38000 connections',
    ]);
  });

  it('polling: both variants, the ratio polling / push, and every client connected and polling', () => {
    const options = parseOptions(['--scenarios', 'polling', '--poll-clients', '5000']);
    const f = (variant: string, serverCpu: number, extra: Record<string, number> = {}) =>
      round({ serverCpu, failed: 0, pollErrors: 0, closed: 0, ...extra }, { variant });
    const scenarios = assembleScenarios(
      collected('polling', { hubcast: [f('polling', 0.9), f('push', 0.3, { closed: 2 })] }),
      options,
    );
    expect(scenarios[0]?.connections).toBe(5000);
    expect(scenarios[0]?.targets.map((t) => t.variant)).toEqual(['push', 'polling']);
    const [ratio] = computeVariantRatios(scenarios)['polling'] ?? [];
    expect(ratio).toMatchObject({ numerator: 'polling', denominator: 'push' });
    expect(ratio?.ratio).toBeCloseTo(3, 9);
    expect(findProblems(scenarios, options)).toEqual([
      'polling hubcast (push): 2 subscribers closed by hubcast',
    ]);
  });
});
