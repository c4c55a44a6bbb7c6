/**
 * Interleaved rounds: each round runs every target once, one at a time (a generator process
 * holds at most ~19,900 sockets, so two targets' connections never coexist). The plain ws hub
 * goes first in round 1, since M6's rate is derived from its M3; later rounds rotate the order
 * so no target always runs on a machine warmed up by another. A target's turn is its W1
 * session (M1–M9, if any was asked for; hubcast's once per engine, in an order that rotates
 * too), then its `rooms` session (hubcast's followed by `chat`, the same rooms through its chat
 * service), then its `storm` session, each on a fresh process. Hubcast
 * alone ends the round: `durable` (one process per event log, in a rotating order), `polling`
 * (push and REST polling on one PostgreSQL, in a rotating order), then, on
 * the Redis engine, `cluster`, `redis-cost` and `workers`.
 */
import {
  HUBCAST_ONLY_SCENARIOS,
  REDIS_SCENARIOS,
  W1_SCENARIOS,
  type Engine,
  type ScenarioId,
} from '../cli/options.js';
import type { TargetName } from '../results.js';
import type { RoundFigure } from './catalog.js';
import { runClusterSession } from './cluster.js';
import { runDurableSession } from './durable.js';
import { runPollingSession } from './polling.js';
import { runRedisCostSession } from './redis-cost.js';
import { runChatSession, runRoomsSession } from './rooms.js';
import { runSession, type Collect, type RunState } from './session.js';
import { runStormSession } from './storm.js';
import { durableVariants, variantOrder } from './variants.js';
import { runWorkersSession } from './workers.js';

export type Collected = Map<ScenarioId, Map<TargetName, RoundFigure[]>>;

const BASE_ORDER: readonly TargetName[] = ['ws', 'hubcast', 'socketio'];

/** The order of targets in round `round` (0-based). */
export function roundOrder(targets: readonly TargetName[], round: number): TargetName[] {
  return variantOrder(
    BASE_ORDER.filter((t) => targets.includes(t)),
    round,
  );
}

/** A session of one target: W1 on an engine, `rooms`, `storm`. */
interface TargetSession {
  label: string;
  run(target: TargetName, state: RunState, collect: Collect): Promise<void>;
}

/** The sessions of a target's turn in round `round`. */
function targetSessions(target: TargetName, state: RunState, round: number): TargetSession[] {
  const { scenarios, engines } = state.options;
  const sessions: TargetSession[] = [];
  if (scenarios.some((id) => W1_SCENARIOS.includes(id))) {
    const order: readonly Engine[] =
      target === 'hubcast' ? variantOrder(engines, round) : ['embedded'];
    for (const engine of order)
      sessions.push({
        label: engine === 'embedded' ? '' : ` (${engine} engine)`,
        run: (t, s, c) => runSession(t, s, c, engine),
      });
  }
  if (scenarios.includes('rooms')) sessions.push({ label: ' rooms', run: runRoomsSession });
  if (scenarios.includes('chat') && target === 'hubcast')
    sessions.push({ label: ' chat', run: runChatSession });
  if (scenarios.includes('storm')) sessions.push({ label: ' storm', run: runStormSession });
  return sessions;
}

/** Hubcast's own sessions that end round `round`, by label. */
function hubcastSessions(
  state: RunState,
  round: number,
): { label: string; run(collect: Collect): Promise<void> }[] {
  const { scenarios, targets, engines, sqliteSyncs } = state.options;
  if (!targets.includes('hubcast')) return [];
  const out: { label: string; run(collect: Collect): Promise<void> }[] = [];
  if (scenarios.includes('durable'))
    for (const variant of variantOrder(durableVariants(sqliteSyncs, engines), round))
      out.push({
        label: `durable (${variant} log)`,
        run: (c) => runDurableSession(variant, state, c),
      });
  if (scenarios.includes('polling'))
    out.push({
      label: 'polling (push vs REST polling)',
      run: (c) => runPollingSession(state, c, round),
    });
  if (!engines.includes('redis')) return out;
  if (scenarios.includes('cluster'))
    out.push({ label: 'cluster', run: (c) => runClusterSession(state, c, round) });
  if (scenarios.includes('redis-cost'))
    out.push({ label: 'redis-cost', run: (c) => runRedisCostSession(state, c) });
  if (scenarios.includes('workers'))
    out.push({ label: 'workers', run: (c) => runWorkersSession(state, c) });
  return out;
}

/** What a run leaves out of the scenarios asked for, and why (the report's notes). */
export function leftOut(state: RunState): string[] {
  const { scenarios, targets, engines } = state.options;
  const notes: string[] = [];
  const hubcastOnly = scenarios.filter(
    (id) => HUBCAST_ONLY_SCENARIOS.includes(id) || REDIS_SCENARIOS.includes(id),
  );
  if (hubcastOnly.length > 0 && !targets.includes('hubcast'))
    notes.push(
      `${hubcastOnly.join(', ')} left out: hubcast alone is measured, and --targets has no hubcast.`,
    );
  const redisOnly = scenarios.filter((id) => REDIS_SCENARIOS.includes(id));
  if (redisOnly.length > 0 && targets.includes('hubcast') && !engines.includes('redis'))
    notes.push(
      `${redisOnly.join(', ')} left out: they run on the Redis engine, and --engines has no redis.`,
    );
  return notes;
}

export async function runRounds(
  state: RunState,
  log: (line: string) => void,
): Promise<{ collected: Collected; errors: string[] }> {
  const collected: Collected = new Map();
  const errors: string[] = [];
  const { rounds, targets } = state.options;
  const attempt = async (label: string, work: () => Promise<void>): Promise<void> => {
    log(label);
    try {
      await work();
    } catch (err) {
      const message = `${label}: ${(err as Error).message}`;
      errors.push(message);
      log(`error: ${message}`);
    }
  };
  for (let r = 0; r < rounds; r++) {
    const prefix = `round ${r + 1}/${rounds}:`;
    for (const target of roundOrder(targets, r)) {
      const collect = collector(collected, target);
      for (const session of targetSessions(target, state, r))
        await attempt(`${prefix} ${target}${session.label}`, () =>
          session.run(target, state, collect),
        );
    }
    const collect = collector(collected, 'hubcast');
    for (const session of hubcastSessions(state, r))
      await attempt(`${prefix} hubcast ${session.label}`, () => session.run(collect));
  }
  return { collected, errors };
}

/** Files each figure under its scenario and `target` (a variant's figure says which it is). */
function collector(collected: Collected, target: TargetName): Collect {
  return (id, figure) => {
    let byTarget = collected.get(id);
    if (byTarget === undefined)
      collected.set(id, (byTarget = new Map<TargetName, RoundFigure[]>()));
    let list = byTarget.get(target);
    if (list === undefined) byTarget.set(target, (list = []));
    list.push(figure);
  };
}
