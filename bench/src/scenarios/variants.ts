/**
 * Where a scenario compares configurations of hubcast, each figure names its `variant`: which
 * figures every scenario has (target and variant, in report order), the order variants run in,
 * and the ratios between them a run reports (`BenchRun.variantRatios`; goals.ts bounds some).
 */
import {
  W1_SCENARIOS,
  type BenchOptions,
  type Engine,
  type ScenarioId,
  type SqliteSync,
} from '../cli/options.js';
import type { ScenarioResult, TargetFigures, TargetName, VariantRatio } from '../results.js';

/**
 * A hubcast figure without a variant, in a ratio: the embedded engine's. Its W1 figures keep no
 * variant, so they stay the ones the peers are compared with (assemble.ts `computeRatios`).
 */
export const BASE_VARIANT = 'embedded';
/** Hubcast's W1 figures on the Redis engine (session.ts). */
export const REDIS_VARIANT = 'redis';

/**
 * `rooms` through hubcast's chat service: the `chat` scenario's figures join `rooms` as this
 * variant of hubcast, next to its raw publishes of the same round (rooms.ts).
 */
export const CHAT_VARIANT = 'chat';
/** In a ratio, hubcast's `rooms` figure without a variant: its raw `publish` commands. */
export const RAW_PUBLISH_VARIANT = 'publish';

/** The scenario whose results a scenario's figures join: `chat` is a variant of `rooms`. */
export function resultScenario(id: ScenarioId): ScenarioId {
  return id === 'chat' ? 'rooms' : id;
}

/** `durable`'s configurations: the SQLite log per sync mode, memory, Redis. */
export type DurableVariant = 'sqlite' | 'sqlite-full' | 'memory' | 'redis';

/**
 * The variants a `durable` run measures, in report order: SQLite per sync mode asked for,
 * memory, then Redis when its engine is.
 */
export function durableVariants(
  syncs: readonly SqliteSync[],
  engines: readonly Engine[] = ['embedded'],
): DurableVariant[] {
  return [
    ...syncs.map((s): DurableVariant => (s === 'full' ? 'sqlite-full' : 'sqlite')),
    'memory',
    ...(engines.includes('redis') ? (['redis'] as const) : []),
  ];
}

/** `polling` (issue 13): hubcast pushing the changes, and REST clients polling for them. */
export const POLLING_VARIANTS = ['push', 'polling'] as const;

/** `cluster`: publishes posted to the subscribers' node, and to another node. */
export const CLUSTER_VARIANTS = ['local', 'cross'] as const;
export type ClusterVariant = (typeof CLUSTER_VARIANTS)[number];

/** `redis-cost`: nodes subscribed to the broker while one of them takes the publishes. */
export const REDIS_COST_NODES = [1, 2, 3] as const;
export const nodesVariant = (n: number): string => (n === 1 ? '1-node' : `${n}-nodes`);

/** The order of `variants` in round `round` (0-based): rotated, as the targets are. */
export function variantOrder<T>(variants: readonly T[], round: number): T[] {
  const k = variants.length === 0 ? 0 : round % variants.length;
  return [...variants.slice(k), ...variants.slice(0, k)];
}

/** One figure a scenario reports: a target, and for hubcast maybe one of its variants. */
export interface FigureKey {
  target: TargetName;
  variant?: string;
}

/** The figures scenario `id` has in a complete run with `options`, in report order. */
export function figureKeys(id: ScenarioId, options: BenchOptions): FigureKey[] {
  const hubcast = options.targets.includes('hubcast');
  const redis = options.engines.includes('redis');
  const asVariants = (names: readonly string[]): FigureKey[] =>
    hubcast ? names.map((variant) => ({ target: 'hubcast', variant })) : [];
  switch (id) {
    case 'durable':
      return asVariants(durableVariants(options.sqliteSyncs, options.engines));
    case 'cluster':
      return redis ? asVariants(CLUSTER_VARIANTS) : [];
    case 'redis-cost':
      return redis ? asVariants(REDIS_COST_NODES.map(nodesVariant)) : [];
    case 'workers':
      return redis && hubcast ? [{ target: 'hubcast' }] : [];
    case 'chat':
      return asVariants([CHAT_VARIANT]);
    case 'polling':
      return asVariants(POLLING_VARIANTS);
    default:
      // W1 on each engine (hubcast on Redis is its `redis` variant), `rooms`, `storm`.
      return options.targets.flatMap((target): FigureKey[] =>
        target === 'hubcast' && redis && W1_SCENARIOS.includes(id)
          ? [{ target }, { target, variant: REDIS_VARIANT }]
          : [{ target }],
      );
  }
}

/** A ratio the run reports: `numerator` ÷ `denominator` of the scenario's headline medians. */
export interface VariantComparison {
  scenario: string;
  numerator: string;
  denominator: string;
}

export const VARIANT_COMPARISONS: readonly VariantComparison[] = [
  // Issue 11: the Redis engine against the embedded one, in the same run.
  ...W1_SCENARIOS.map((scenario) => ({
    scenario,
    numerator: REDIS_VARIANT,
    denominator: BASE_VARIANT,
  })),
  { scenario: 'durable', numerator: 'sqlite', denominator: 'memory' },
  { scenario: 'durable', numerator: 'sqlite-full', denominator: 'memory' },
  { scenario: 'durable', numerator: 'redis', denominator: 'sqlite' },
  // Both fsync an append before they acknowledge it (redis-server.ts).
  { scenario: 'durable', numerator: 'redis', denominator: 'sqlite-full' },
  { scenario: 'cluster', numerator: 'cross', denominator: 'local' },
  // Issue 12: what the chat service costs over a raw publish, same rooms, same round.
  { scenario: 'rooms', numerator: CHAT_VARIANT, denominator: RAW_PUBLISH_VARIANT },
  { scenario: 'redis-cost', numerator: nodesVariant(3), denominator: nodesVariant(1) },
  // Issue 13: what polling costs the servers over push, same clients, same changes.
  { scenario: 'polling', numerator: 'polling', denominator: 'push' },
];

/**
 * Every comparison the run has both sides of, by scenario; left out where either side lost or
 * duplicated events (a fast figure that dropped events is not comparable).
 */
export function computeVariantRatios(
  scenarios: readonly ScenarioResult[],
): Record<string, VariantRatio[]> {
  const out: Record<string, VariantRatio[]> = {};
  for (const c of VARIANT_COMPARISONS) {
    const sc = scenarios.find((s) => s.id === c.scenario);
    if (sc === undefined) continue;
    const num = variantFigure(sc, c.numerator);
    const den = variantFigure(sc, c.denominator);
    if (num === undefined || den === undefined || !isClean(num) || !isClean(den)) continue;
    const metric = sc.headline.metric;
    const ratio = (num.median[metric] ?? Number.NaN) / (den.median[metric] ?? Number.NaN);
    if (!Number.isFinite(ratio)) continue;
    (out[c.scenario] ??= []).push({ numerator: c.numerator, denominator: c.denominator, ratio });
  }
  return out;
}

/**
 * Hubcast's figure of `variant` in a scenario (`embedded`, or `publish` in `rooms`: the one
 * without a variant).
 */
function variantFigure(sc: ScenarioResult, variant: string): TargetFigures | undefined {
  const base = sc.id === 'rooms' ? RAW_PUBLISH_VARIANT : BASE_VARIANT;
  return sc.targets.find((t) => t.target === 'hubcast' && (t.variant ?? base) === variant);
}

export function isClean(t: TargetFigures): boolean {
  return t.lost === 0 && t.duplicated === 0;
}
