/** A state change as emitted by the `state` events of the client and of subscriptions. */
export interface StateChange<S extends string> {
  from: S;
  to: S;
  reason: string;
}

/** Legal moves: for each state, the states it may go to. */
export type TransitionTable<S extends string> = Readonly<Record<S, readonly S[]>>;

export function canTransition<S extends string>(
  table: TransitionTable<S>,
  from: S,
  to: S,
): boolean {
  return table[from].includes(to);
}

/**
 * A state with one door (STYLE rule 8): `transition` is the only way to change it, refuses
 * moves the table does not list (a bug in the caller, so it throws), and reports each change.
 */
export class StateMachine<S extends string> {
  private current: S;

  constructor(
    initial: S,
    private readonly table: TransitionTable<S>,
    private readonly onChange: (change: StateChange<S>) => void,
  ) {
    this.current = initial;
  }

  get state(): S {
    return this.current;
  }

  transition(to: S, reason: string): void {
    const from = this.current;
    if (!canTransition(this.table, from, to))
      throw new Error(`illegal state transition ${from} -> ${to} (${reason})`);
    this.current = to;
    this.onChange({ from, to, reason });
  }
}
