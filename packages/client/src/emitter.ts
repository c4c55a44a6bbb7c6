/** An event map: event name to listener signature, each taking one context object. */
export type EventMap<M> = { [K in keyof M]: (ctx: never) => void };

/** The event map of an emitter type. */
export type EventsOf<E> = E extends { readonly eventMap?: infer M } ? M : never;

/** The context object of event `K`. */
export type EventContext<M extends EventMap<M>, K extends keyof M> = Parameters<M[K]>[0];

interface Entry<L> {
  listener: L;
  once: boolean;
}

/**
 * A small typed emitter (STYLE rule 16). A throwing listener never breaks the emitter's owner:
 * its error goes to `onListenerError`, which the owner turns into an `error` event.
 */
export class TypedEmitter<M extends EventMap<M>> {
  /** @internal Type-level only (never set): lets helpers infer the event map of an emitter. */
  declare readonly eventMap?: M;
  private readonly listeners = new Map<keyof M, Entry<M[keyof M]>[]>();

  constructor(private readonly onListenerError: (error: unknown, event: string) => void) {}

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof M>(event: K, listener: M[K]): () => void {
    return this.add(event, listener, false);
  }

  /** Adds a listener that runs at most once; returns a function that removes it. */
  once<K extends keyof M>(event: K, listener: M[K]): () => void {
    return this.add(event, listener, true);
  }

  off<K extends keyof M>(event: K, listener: M[K]): void {
    const list = this.listeners.get(event);
    if (list === undefined) return;
    const i = list.findIndex((e) => e.listener === listener);
    if (i !== -1) list.splice(i, 1);
  }

  /** Whether `event` has at least one listener. */
  protected hasListeners(event: keyof M): boolean {
    return (this.listeners.get(event)?.length ?? 0) > 0;
  }

  protected emit<K extends keyof M>(event: K, ctx: EventContext<M, K>): void {
    const list = this.listeners.get(event);
    if (list === undefined || list.length === 0) return;
    for (const entry of [...list]) {
      if (entry.once) this.off(event, entry.listener);
      try {
        (entry.listener as (ctx: EventContext<M, K>) => void)(ctx);
      } catch (error) {
        this.onListenerError(error, String(event));
      }
    }
  }

  private add<K extends keyof M>(event: K, listener: M[K], once: boolean): () => void {
    let list = this.listeners.get(event);
    if (list === undefined) {
      list = [];
      this.listeners.set(event, list);
    }
    list.push({ listener, once });
    return () => this.off(event, listener);
  }
}
