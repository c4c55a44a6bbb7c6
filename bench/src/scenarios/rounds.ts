/**
 * Interleaved rounds: each round runs every target once, one at a time (a generator process
 * holds at most ~19,900 sockets, so two targets' connections never coexist). The plain ws hub
 * goes first in round 1, since M6's rate is derived from its M3; later rounds rotate the order
 * so no target always runs on a machine warmed up by another. A target's turn is its W1
 * session (M1–M9, if any was asked for), then its `rooms` session, then its `storm` session,
 * each on a fresh process. `durable` (hubcast alone) ends the round: one process per event
 * log, in an order that rotates too.
 */
import { W1_SCENARIOS, type ScenarioId } from '../cli/options.js';
import type { TargetName } from '../results.js';
import type { RoundFigure } from './catalog.js';
import { durableVariants, runDurableSession, variantOrder } from './durable.js';
import { runRoomsSession } from './rooms.js';
import { runSession, type Collect, type RunState } from './session.js';
import { runStormSession } from './storm.js';

export type Collected = Map<ScenarioId, Map<TargetName, RoundFigure[]>>;

const BASE_ORDER: readonly TargetName[] = ['ws', 'hubcast', 'socketio'];

/** The order of targets in round `round` (0-based). */
export function roundOrder(targets: readonly TargetName[], round: number): TargetName[] {
  const order = BASE_ORDER.filter((t) => targets.includes(t));
  const k = order.length === 0 ? 0 : round % order.length;
  return [...order.slice(k), ...order.slice(0, k)];
}

export async function runRounds(
  state: RunState,
  log: (line: string) => void,
): Promise<{ collected: Collected; errors: string[] }> {
  const collected: Collected = new Map();
  const errors: string[] = [];
  const { rounds, targets, scenarios } = state.options;
  const sessions: { label: string; run: typeof runSession }[] = [];
  if (scenarios.some((id) => W1_SCENARIOS.includes(id)))
    sessions.push({ label: '', run: runSession });
  if (scenarios.includes('rooms')) sessions.push({ label: ' rooms', run: runRoomsSession });
  if (scenarios.includes('storm')) sessions.push({ label: ' storm', run: runStormSession });
  const durable =
    scenarios.includes('durable') && targets.includes('hubcast')
      ? durableVariants(state.options.sqliteSyncs)
      : [];
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
    for (const target of roundOrder(targets, r)) {
      const collect = collector(collected, target);
      for (const session of sessions)
        await attempt(`round ${r + 1}/${rounds}: ${target}${session.label}`, () =>
          session.run(target, state, collect),
        );
    }
    const collect = collector(collected, 'hubcast');
    for (const variant of variantOrder(durable, r))
      await attempt(`round ${r + 1}/${rounds}: hubcast durable (${variant} log)`, () =>
        runDurableSession(variant, state, collect),
      );
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
