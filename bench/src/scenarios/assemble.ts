/** Turns the figures of every round into the run's results: medians per target, and ratios. */
import { SCENARIO_IDS, type BenchOptions } from '../cli/options.js';
import { PAYLOAD_BYTES } from '../loadgen/payload.js';
import { connectionCount } from '../loadgen/rooms.js';
import type { ScenarioResult, TargetFigures, TargetName } from '../results.js';
import { median, medianIndex } from '../stats/summary.js';
import { CATALOG, scenarioTitle, type RoundFigure } from './catalog.js';
import type { Collected } from './rounds.js';

export function assembleScenarios(collected: Collected, options: BenchOptions): ScenarioResult[] {
  const out: ScenarioResult[] = [];
  for (const id of SCENARIO_IDS) {
    const byTarget = collected.get(id);
    if (byTarget === undefined) continue;
    const spec = CATALOG[id];
    const targets: TargetFigures[] = [];
    for (const target of options.targets) {
      const rounds = byTarget.get(target);
      if (rounds !== undefined && rounds.length > 0)
        targets.push(targetFigures(target, rounds, spec.headline.metric));
    }
    out.push({
      id,
      title: scenarioTitle(id, options),
      connections: id === 'rooms' ? connectionCount(options.rooms) : options.connections,
      payloadBytes: PAYLOAD_BYTES,
      headline: spec.headline,
      targets,
    });
  }
  return out;
}

export function targetFigures(
  target: TargetName,
  rounds: readonly RoundFigure[],
  headline: string,
): TargetFigures {
  const keys = [...new Set(rounds.flatMap((r) => Object.keys(r.metrics)))];
  const med: Record<string, number> = {};
  for (const k of keys) med[k] = median(rounds.map((r) => r.metrics[k] ?? Number.NaN));
  const mid = rounds[medianIndex(rounds.map((r) => r.metrics[headline] ?? Number.NaN))];
  const notes = rounds.flatMap((r, i) => (r.notes ?? []).map((n) => `round ${i + 1}: ${n}`));
  const bound = rounds.map((r, i) => (r.generatorBound ? i + 1 : 0)).filter((i) => i > 0);
  if (bound.length > 0) notes.push(`generator-bound in round(s) ${bound.join(', ')}`);
  return {
    target,
    rounds: rounds.map((r) => r.metrics),
    median: med,
    ...(mid?.latency === undefined ? {} : { latency: mid.latency }),
    lost: rounds.reduce((n, r) => n + r.lost, 0),
    duplicated: rounds.reduce((n, r) => n + r.duplicated, 0),
    generatorCpu: median(rounds.map((r) => r.generatorCpu)),
    targetCpu: median(rounds.map((r) => r.targetCpu)),
    generatorBound: bound.length > 0,
    ...(notes.length > 0 ? { notes } : {}),
  };
}

/**
 * hubcast ÷ peer of each headline median. Left out where either side lost or duplicated
 * deliveries: a fast figure that dropped events is not comparable.
 */
export function computeRatios(
  scenarios: readonly ScenarioResult[],
): Record<string, Partial<Record<'ws' | 'socketio', number>>> {
  const ratios: Record<string, Partial<Record<'ws' | 'socketio', number>>> = {};
  for (const sc of scenarios) {
    const hub = sc.targets.find((t) => t.target === 'hubcast');
    if (hub === undefined) continue;
    const row: Partial<Record<'ws' | 'socketio', number>> = {};
    for (const peer of ['ws', 'socketio'] as const) {
      const other = sc.targets.find((t) => t.target === peer);
      if (other === undefined || !isClean(hub) || !isClean(other)) continue;
      const ratio =
        (hub.median[sc.headline.metric] ?? Number.NaN) /
        (other.median[sc.headline.metric] ?? Number.NaN);
      if (Number.isFinite(ratio)) row[peer] = ratio;
    }
    ratios[sc.id] = row;
  }
  return ratios;
}

function isClean(t: TargetFigures): boolean {
  return t.lost === 0 && t.duplicated === 0;
}

/** What makes a run fail: lost or duplicated events, failed connections, missing figures. */
export function findProblems(
  scenarios: readonly ScenarioResult[],
  options: BenchOptions,
): string[] {
  const problems: string[] = [];
  for (const id of options.scenarios) {
    const sc = scenarios.find((s) => s.id === id);
    for (const target of options.targets) {
      const t = sc?.targets.find((x) => x.target === target);
      if (sc === undefined || t === undefined) {
        problems.push(`${id} ${target}: no figures`);
        continue;
      }
      if (t.lost !== 0) problems.push(`${id} ${target}: ${t.lost} deliveries lost`);
      if (t.duplicated !== 0)
        problems.push(`${id} ${target}: ${t.duplicated} deliveries duplicated`);
      // RSS moves by whole pages, so a tiny run's M1 RSS figure may be 0; its heap figure may not.
      const metric = id === 'M1' && options.smoke ? 'heapPerConnBytes' : sc.headline.metric;
      const head = t.median[metric];
      if (head === undefined || !Number.isFinite(head) || (id !== 'M8' && head <= 0))
        problems.push(`${id} ${target}: no ${metric} figure`);
      if (id === 'M9' && (t.median['failed'] ?? 0) > 0)
        problems.push(`${id} ${target}: ${t.median['failed']} connections failed`);
      if (id === 'rooms') {
        const total = (k: string): number => t.rounds.reduce((n, r) => n + (r[k] ?? 0), 0);
        const what: [string, string][] = [
          ['failed', 'connections failed'],
          ['unsent', 'messages not sent'],
          ['stray', 'events reached a connection outside their room'],
          ['refused', 'publishes refused'],
        ];
        for (const [k, text] of what)
          if (total(k) > 0) problems.push(`rooms ${target}: ${total(k)} ${text}`);
      }
      if (id === 'M8' && target === 'hubcast') {
        const slow = t.median['slowConnections'] ?? 0;
        const closed = t.median['slowClosed'] ?? 0;
        if (closed < slow)
          problems.push(`M8 hubcast: closed ${closed} of ${slow} slow connections with 4001`);
      }
    }
  }
  return problems;
}
