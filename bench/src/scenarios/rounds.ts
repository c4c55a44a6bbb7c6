/**
 * Interleaved rounds: each round runs every target once, one at a time (a generator process
 * holds at most ~19,900 sockets, so two targets' connections never coexist). The plain ws hub
 * goes first in round 1, since M6's rate is derived from its M3; later rounds rotate the order
 * so no target always runs on a machine warmed up by another.
 */
import type { ScenarioId } from '../cli/options.js';
import type { TargetName } from '../results.js';
import type { RoundFigure } from './catalog.js';
import { runSession, type RunState } from './session.js';

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
  const { rounds, targets } = state.options;
  for (let r = 0; r < rounds; r++) {
    for (const target of roundOrder(targets, r)) {
      log(`round ${r + 1}/${rounds}: ${target}`);
      try {
        await runSession(target, state, (id, figure) => {
          let byTarget = collected.get(id);
          if (byTarget === undefined)
            collected.set(id, (byTarget = new Map<TargetName, RoundFigure[]>()));
          let list = byTarget.get(target);
          if (list === undefined) byTarget.set(target, (list = []));
          list.push(figure);
        });
      } catch (err) {
        const message = `round ${r + 1}, ${target}: ${(err as Error).message}`;
        errors.push(message);
        log(`error: ${message}`);
      }
    }
  }
  return { collected, errors };
}
