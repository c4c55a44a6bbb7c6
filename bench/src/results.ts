/**
 * The figures of one bench run, as written to `bench/results/<run>.json` and drawn by the
 * HTML report. Every scenario measures each target in the same run, so ratios are fair.
 */

export type TargetName = 'hubcast' | 'ws' | 'socketio';

/** Latency distribution in milliseconds. */
export interface LatencySummary {
  count: number;
  /** The fastest 1%: the fixed cost before a target's first writes (M6 tells targets apart by it). */
  p1: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** One scenario measured on one target: its rounds and their median. */
export interface TargetFigures {
  target: TargetName;
  /**
   * Where a scenario compares configurations of one target, which one this is (`durable`:
   * hubcast with the `sqlite`, `sqlite-full` or `memory` event log).
   */
  variant?: string;
  /** Figures per round (at least 3 interleaved rounds for full runs); keys are metric names. */
  rounds: Record<string, number>[];
  /** Median over rounds of each metric. */
  median: Record<string, number>;
  /** Latency percentiles of the median round, when the scenario measures latency. */
  latency?: LatencySummary;
  /** Deliveries missing / duplicated across all rounds (must be 0 and 0). */
  lost: number;
  duplicated: number;
  /** Load-generator CPU share (0..1 per core used) during the measurement. */
  generatorCpu: number;
  /** Target process CPU share during the measurement. */
  targetCpu: number;
  /** True when the generator, not the target, was the bottleneck. */
  generatorBound: boolean;
  notes?: string[];
}

export interface ScenarioResult {
  /** `M1`, `M2`, ..., `rooms`, `storm`. */
  id: string;
  title: string;
  connections: number;
  payloadBytes: number;
  /** The metric the goal table is about, e.g. `rssPerConnBytes`, `deliveriesPerSec`. */
  headline: { metric: string; unit: string; betterIs: 'lower' | 'higher' };
  targets: TargetFigures[];
  /**
   * Targets whose lost or duplicated deliveries this scenario expects and only reports (`storm`:
   * the peers have no resume); for every other target they fail the run.
   */
  lossExpected?: TargetName[];
}

/** A ratio between two configurations of hubcast measured in the same run (`durable`). */
export interface VariantRatio {
  /** Variants of the scenario's figures: `numerator` ÷ `denominator` of the headline median. */
  numerator: string;
  denominator: string;
  ratio: number;
}

export interface BenchRun {
  runId: string;
  startedAt: string;
  finishedAt: string;
  smoke: boolean;
  machine: { cpus: number; cpuModel: string; memoryBytes: number; node: string; platform: string };
  settings: Record<string, number | string | boolean>;
  scenarios: ScenarioResult[];
  /** Ratios hubcast / peer of each scenario's headline median, e.g. `{ M1: { ws: 1.2, socketio: 0.5 } }`. */
  ratios: Record<string, Partial<Record<Exclude<TargetName, 'hubcast'>, number>>>;
  /**
   * Ratios within hubcast, by scenario, e.g.
   * `{ durable: [{ numerator: 'sqlite', denominator: 'memory', ratio: 0.93 }] }`.
   */
  variantRatios?: Record<string, VariantRatio[]>;
  /** What a reader must know about the run: derived settings, scenarios left out, errors. */
  notes?: string[];
}
