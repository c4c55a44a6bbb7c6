/** A connection's life (STYLE rule 8): one way to change state, illegal moves refused. */
export type SessionState = 'awaiting_auth' | 'live' | 'draining' | 'closed';

const LEGAL: Readonly<Record<SessionState, readonly SessionState[]>> = {
  awaiting_auth: ['live', 'draining', 'closed'],
  live: ['draining', 'closed'],
  draining: ['closed'],
  closed: [],
};

export interface StateChange {
  from: SessionState;
  to: SessionState;
  reason: string;
}

export function canTransition(from: SessionState, to: SessionState): boolean {
  return LEGAL[from].includes(to);
}
