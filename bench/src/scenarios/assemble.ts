/** Turns the figures of every round into the run's results: medians per target, and ratios. */
import { SCENARIO_IDS, type BenchOptions, type ScenarioId } from '../cli/options.js';
import { PAYLOAD_BYTES } from '../loadgen/payload.js';
import { connectionCount } from '../loadgen/rooms.js';
import type { ScenarioResult, TargetFigures, TargetName } from '../results.js';
import { median, medianIndex } from '../stats/summary.js';
import { CATALOG, scenarioTitle, type RoundFigure } from './catalog.js';
import type { Collected } from './rounds.js';
import { figureKeys, isClean, resultScenario, type FigureKey } from './variants.js';

export function assembleScenarios(collected: Collected, options: BenchOptions): ScenarioResult[] {
  const out: ScenarioResult[] = [];
  for (const id of SCENARIO_IDS) {
    const byTarget = collected.get(id);
    if (byTarget === undefined) continue;
    const spec = CATALOG[id];
    const targets: TargetFigures[] = [];
    for (const target of options.targets) {
      const rounds = byTarget.get(target);
      if (rounds === undefined || rounds.length === 0) continue;
      // `rooms` holds `chat`'s figures too: hubcast's raw publishes, then its chat variant.
      const order = [
        ...figureKeys(id, options),
        ...(id === 'rooms' ? figureKeys('chat', options) : []),
      ]
        .filter((k) => k.target === target)
        .map((k) => k.variant);
      for (const [variant, list] of byVariant(rounds, order))
        targets.push(targetFigures(target, list, spec.headline.metric, variant));
    }
    const lossExpected = options.targets.filter((t) => t !== 'hubcast');
    out.push({
      id,
      title: scenarioTitle(id, options),
      connections: connectionsOf(id, options),
      payloadBytes: PAYLOAD_BYTES,
      headline: spec.headline,
      targets,
      // The peers have no resume: what was published while their clients were away is lost.
      ...(id === 'storm' && lossExpected.length > 0 ? { lossExpected } : {}),
    });
  }
  return out;
}

function connectionsOf(id: ScenarioId, options: BenchOptions): number {
  if (id === 'rooms' || id === 'chat') return connectionCount(options.rooms);
  // Their connections are the publishers' keep-alive sockets; no client subscribes.
  if (id === 'durable' || id === 'redis-cost') return options.publishers;
  if (id === 'workers') return options.workersConnections;
  if (id === 'polling') return options.polling.clients;
  return options.connections;
}

/** A target's rounds split by variant, in `order` (a variant not in it goes last). */
function byVariant(
  rounds: readonly RoundFigure[],
  order: readonly (string | undefined)[],
): [string | undefined, RoundFigure[]][] {
  const groups = new Map<string | undefined, RoundFigure[]>();
  for (const r of rounds) {
    let list = groups.get(r.variant);
    if (list === undefined) groups.set(r.variant, (list = []));
    list.push(r);
  }
  const rank = (v: string | undefined): number => {
    const i = order.indexOf(v);
    return i < 0 ? order.length : i;
  };
  return [...groups.entries()].sort((a, b) => rank(a[0]) - rank(b[0]));
}

export function targetFigures(
  target: TargetName,
  rounds: readonly RoundFigure[],
  headline: string,
  variant?: string,
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
    ...(variant === undefined ? {} : { variant }),
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
    // Hubcast's variants are compared among themselves (variants.ts), not with the peers.
    const hub = sc.targets.find((t) => t.target === 'hubcast' && t.variant === undefined);
    if (hub === undefined || !sc.targets.some((t) => t.target !== 'hubcast')) continue;
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

/**
 * What makes a run fail: lost or duplicated events (except where a scenario expects them of a
 * peer), failed connections or reconnects, refused publishes, missing figures.
 */
export function findProblems(
  scenarios: readonly ScenarioResult[],
  options: BenchOptions,
): string[] {
  const problems: string[] = [];
  for (const id of options.scenarios) {
    const sc = scenarios.find((s) => s.id === resultScenario(id));
    for (const key of figureKeys(id, options)) {
      const t = sc?.targets.find((x) => x.target === key.target && x.variant === key.variant);
      const label = problemLabel(id, key);
      if (sc === undefined || t === undefined) {
        problems.push(`${label}: no figures`);
        continue;
      }
      if (!sc.lossExpected?.includes(key.target)) problems.push(...lossProblems(label, t));
      // RSS moves by whole pages, so a tiny run's M1 RSS figure may be 0; its heap figure may not.
      const metric = id === 'M1' && options.smoke ? 'heapPerConnBytes' : sc.headline.metric;
      const head = t.median[metric];
      if (head === undefined || !Number.isFinite(head) || (id !== 'M8' && head <= 0))
        problems.push(`${label}: no ${metric} figure`);
      problems.push(...scenarioProblems(id, label, key.target, t, options));
    }
  }
  return problems;
}

/** `M2 ws`, `M2 hubcast (redis)`, `durable hubcast (sqlite log)`. */
function problemLabel(id: ScenarioId, key: FigureKey): string {
  if (key.variant === undefined || id === 'chat') return `${id} ${key.target}`;
  return `${id} ${key.target} (${key.variant}${id === 'durable' ? ' log' : ''})`;
}

/** What else each scenario must show besides exactly-once delivery and a headline figure. */
function scenarioProblems(
  id: ScenarioId,
  label: string,
  target: TargetName,
  t: TargetFigures,
  options: BenchOptions,
): string[] {
  switch (id) {
    case 'M9':
    case 'cluster':
      return countProblems(label, t, [['failed', 'connections failed']]);
    case 'M8': {
      const slow = t.median['slowConnections'] ?? 0;
      const closed = t.median['slowClosed'] ?? 0;
      return target === 'hubcast' && closed < slow
        ? [`${label}: closed ${closed} of ${slow} slow connections with 4001`]
        : [];
    }
    case 'rooms':
    case 'chat':
      return countProblems(label, t, [
        ['failed', 'connections failed'],
        ['unsent', 'messages not sent'],
        ['stray', 'events reached a connection outside their room'],
        ['refused', id === 'chat' ? 'chat.send calls refused' : 'publishes refused'],
      ]);
    case 'storm':
      return countProblems(label, t, [
        ['failed', 'clients failed to connect'],
        ['failedReconnects', 'clients not live again after the restart'],
        ['rejected', 'publishes refused'],
        // A refused resume is a reset: hubcast's clients would have to refetch their state.
        ...(target === 'hubcast' ? ([['resets', 'resumes refused (resets)']] as const) : []),
      ]);
    case 'durable':
    case 'redis-cost':
      return countProblems(label, t, [['errors', 'publishes failed']]);
    case 'polling':
      return countProblems(label, t, [
        ['failed', 'clients failed to connect'],
        ['pollErrors', 'polls failed'],
        ['closed', 'subscribers closed by hubcast'],
      ]);
    case 'workers': {
      const held = Math.min(...t.rounds.map((r) => r['connections'] ?? 0));
      return held < options.workersConnections
        ? [`${label}: held ${held} of ${options.workersConnections} connections`]
        : [];
    }
    default:
      return [];
  }
}

function lossProblems(label: string, t: TargetFigures): string[] {
  const problems: string[] = [];
  if (t.lost !== 0) problems.push(`${label}: ${t.lost} deliveries lost`);
  if (t.duplicated !== 0) problems.push(`${label}: ${t.duplicated} deliveries duplicated`);
  return problems;
}

/** A problem per metric whose total over the rounds is not 0. */
function countProblems(
  label: string,
  t: TargetFigures,
  what: readonly (readonly [string, string])[],
): string[] {
  const total = (k: string): number => t.rounds.reduce((n, r) => n + (r[k] ?? 0), 0);
  return what.filter(([k]) => total(k) > 0).map(([k, text]) => `${label}: ${total(k)} ${text}`);
}
