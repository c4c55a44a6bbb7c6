/**
 * The contract every live view of the SDK keeps, shaped for React's `useSyncExternalStore` and
 * usable as is by Vue, Svelte or plain code: `subscribe` adds a listener called after each
 * change, and `getSnapshot` answers the same object until the view changes again.
 */

/** A value that changes over time and says when. */
export interface View<S> {
  /** Calls `listener` after every change; returns a function that removes it. */
  subscribe(listener: () => void): () => void;
  /** The current state: the same reference until the view changes. */
  getSnapshot(): S;
}

/**
 * The listener half of a view, and a snapshot cache: the owner calls `changed()` after each
 * change and the snapshot is rebuilt lazily, once, on the next `getSnapshot()`, so a burst of
 * changes (or a view nobody reads) costs no copies.
 */
export class ViewState<S> {
  private readonly listeners = new Set<() => void>();
  private cached: S | undefined;
  private isDirty = true;

  constructor(
    private readonly build: () => S,
    private readonly onListenerError: (error: unknown) => void,
  ) {}

  subscribe(listener: () => void): () => void {
    // A wrapper per call: the same function subscribed twice (StrictMode) counts twice.
    const entry = (): void => listener();
    this.listeners.add(entry);
    return () => void this.listeners.delete(entry);
  }

  getSnapshot(): S {
    if (this.isDirty || this.cached === undefined) {
      this.cached = this.build();
      this.isDirty = false;
    }
    return this.cached;
  }

  /** Marks the snapshot stale and tells the listeners. */
  changed(): void {
    this.isDirty = true;
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}
