/**
 * The goal table of the benchmark issue: hubcast / peer ratios of each scenario's headline
 * median, all measured in the same run, and whether each ratio meets its bound; plus goals on
 * a ratio within hubcast (issue 4: the SQLite log against the memory log; issue 11: the Redis
 * engine against the embedded one).
 */
import type { BenchRun, TargetName } from '../results.js';
import { formatRatio } from './format.js';

export type PeerName = Exclude<TargetName, 'hubcast'>;

export const PEERS: readonly PeerName[] = ['ws', 'socketio'];

export interface GoalBound {
  /** `<=`: hubcast / peer must be at most `value`; `>=`: at least. */
  op: '<=' | '>=';
  value: number;
}

export interface GoalRow {
  /** Scenario id the ratios are keyed by in `BenchRun.ratios`. */
  scenario: string;
  /** The metric, as the issue words it; `ws` is set in code. */
  label: string;
  bounds: Record<PeerName, GoalBound>;
}

/** The "The goal" table (same run, this machine, embedded engine, JSON codec). */
export const GOALS: readonly GoalRow[] = [
  {
    scenario: 'M1',
    label: 'M1 RSS per idle connection',
    bounds: { ws: { op: '<=', value: 1.3 }, socketio: { op: '<=', value: 0.55 } },
  },
  {
    scenario: 'M2',
    label: 'M2 time to the last client',
    bounds: { ws: { op: '<=', value: 1.1 }, socketio: { op: '<=', value: 0.75 } },
  },
  {
    scenario: 'M3',
    label: 'M3 deliveries/s, isolated publishes',
    bounds: { ws: { op: '>=', value: 1.0 }, socketio: { op: '>=', value: 1.6 } },
  },
  {
    scenario: 'M4',
    label: 'M4 deliveries/s, coalesced',
    bounds: { ws: { op: '>=', value: 8 }, socketio: { op: '>=', value: 15 } },
  },
  {
    scenario: 'M6',
    label: 'M6 p99 at half the `ws` capacity',
    bounds: { ws: { op: '<=', value: 1.0 }, socketio: { op: '<=', value: 0.7 } },
  },
];

/** A goal on a ratio between two configurations of hubcast in one scenario (`durable`). */
export interface VariantGoalRow {
  scenario: string;
  label: string;
  numerator: string;
  denominator: string;
  bound: GoalBound;
}

export const VARIANT_GOALS: readonly VariantGoalRow[] = [
  {
    scenario: 'durable',
    label: 'durable publishes/s, SQLite log / memory log',
    numerator: 'sqlite',
    denominator: 'memory',
    bound: { op: '>=', value: 0.5 },
  },
  // Issue 11. M2's headline is the time to the last of N deliveries (its p100).
  {
    scenario: 'M2',
    label: 'M2 time to the last client, Redis engine / embedded',
    numerator: 'redis',
    denominator: 'embedded',
    bound: { op: '<=', value: 1.2 },
  },
  {
    scenario: 'M6',
    label: 'M6 p99, Redis engine / embedded',
    numerator: 'redis',
    denominator: 'embedded',
    bound: { op: '<=', value: 1.2 },
  },
  {
    scenario: 'durable',
    label: 'durable publishes/s, Redis log / SQLite log',
    numerator: 'redis',
    denominator: 'sqlite',
    bound: { op: '>=', value: 0.5 },
  },
];

export type GoalStatus = 'pass' | 'fail' | 'missing';

export interface GoalCell {
  scenario: string;
  peer: PeerName;
  bound: GoalBound;
  /** The measured ratio; undefined when the run has none (or it is not a finite number). */
  ratio: number | undefined;
  status: GoalStatus;
}

/**
 * Whether `ratio` meets `bound`. A bound is inclusive, with a relative tolerance of 1e-9 so a
 * ratio computed as 1.3000000000000003 meets `<= 1.3`. No data is `missing`, never `fail`.
 */
export function checkGoal(ratio: number | undefined, bound: GoalBound): GoalStatus {
  if (ratio === undefined || !Number.isFinite(ratio)) return 'missing';
  const slack = Math.abs(bound.value) * 1e-9;
  const ok = bound.op === '<=' ? ratio <= bound.value + slack : ratio >= bound.value - slack;
  return ok ? 'pass' : 'fail';
}

/** Every cell of the goal table, in table order (rows of GOALS, then ws, socketio). */
export function evaluateGoals(run: BenchRun): GoalCell[] {
  const cells: GoalCell[] = [];
  for (const row of GOALS) {
    for (const peer of PEERS) {
      const ratio = finiteOrUndefined(run.ratios[row.scenario]?.[peer]);
      const bound = row.bounds[peer];
      cells.push({ scenario: row.scenario, peer, bound, ratio, status: checkGoal(ratio, bound) });
    }
  }
  return cells;
}

export interface VariantGoalCell {
  goal: VariantGoalRow;
  ratio: number | undefined;
  status: GoalStatus;
}

/** Every variant goal, with the run's ratio and whether it is met. */
export function evaluateVariantGoals(run: BenchRun): VariantGoalCell[] {
  return VARIANT_GOALS.map((goal) => {
    const found = run.variantRatios?.[goal.scenario]?.find(
      (r) => r.numerator === goal.numerator && r.denominator === goal.denominator,
    );
    const ratio = finiteOrUndefined(found?.ratio);
    return { goal, ratio, status: checkGoal(ratio, goal.bound) };
  });
}

/** The goal bound for one scenario and peer, if the table has one. */
export function goalFor(scenario: string, peer: PeerName): GoalBound | undefined {
  return GOALS.find((row) => row.scenario === scenario)?.bounds[peer];
}

/** `≤ 1.3x`, `≥ 15x`. */
export function formatBound(bound: GoalBound): string {
  return `${bound.op === '<=' ? '≤' : '≥'} ${bound.value}x`;
}

/**
 * A ratio printed with enough decimals that the printed value agrees with its pass/fail status:
 * 1.3004 against `<= 1.3` prints `1.3004x`, not a `1.30x` that seems to pass.
 */
export function formatRatioAgainst(ratio: number, bound: GoalBound | undefined): string {
  const base = Math.abs(ratio) >= 10 ? 1 : 2;
  if (bound === undefined) return formatRatio(ratio, base);
  const status = checkGoal(ratio, bound);
  for (let d = base; d < 6; d++) {
    if (checkGoal(Number(ratio.toFixed(d)), bound) === status) return formatRatio(ratio, d);
  }
  return formatRatio(ratio, 6);
}

function finiteOrUndefined(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}
