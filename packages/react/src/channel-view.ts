/**
 * One subscription to a pattern as a startable View: its state, its error and its newest
 * events. `useChannel` leases one per component, so StrictMode's double effects end with one
 * subscription, and each event reaches the handler once however many listeners there are.
 */
import type {
  EventHandler,
  HubcastError,
  HubcastEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionState,
  View,
} from '@hubcast/client';

/** What a channel looks like now (a new object per change). */
export interface ChannelSnapshot {
  /** The newest `limit` events, oldest first. */
  events: readonly HubcastEvent[];
  last: HubcastEvent | undefined;
  state: SubscriptionState;
  error: HubcastError | undefined;
}

/** What the view needs from the connection. */
export interface ChannelSource {
  subscribe(pattern: string, handler: EventHandler, options?: SubscribeOptions): Subscription;
}

/** A pattern's subscription while started; `stop()` unsubscribes. */
export class ChannelView implements View<ChannelSnapshot> {
  private readonly listeners = new Set<() => void>();
  private snapshot: ChannelSnapshot = {
    events: [],
    last: undefined,
    state: 'unsubscribed',
    error: undefined,
  };
  private current: { sub: Subscription; offs: (() => void)[] } | undefined;

  constructor(
    private readonly source: ChannelSource,
    readonly pattern: string,
    private readonly limit: number,
    private readonly onEvent: (event: HubcastEvent) => void,
  ) {}

  /** Subscribes (idempotent). */
  start(): this {
    if (this.current !== undefined) return this;
    const sub = this.source.subscribe(this.pattern, (event) => {
      const events = this.limit > 0 ? [...this.snapshot.events, event].slice(-this.limit) : [];
      this.update({ events, last: event });
      this.onEvent(event);
    });
    const offs = [
      sub.on('state', (ctx) => this.update({ state: ctx.to })),
      sub.on('error', (ctx) => this.update({ error: ctx.error })),
    ];
    this.current = { sub, offs };
    this.update({ state: sub.state, error: undefined });
    return this;
  }

  /** Unsubscribes (idempotent); the events seen stay. */
  stop(): void {
    const current = this.current;
    if (current === undefined) return;
    this.current = undefined;
    for (const off of current.offs) off();
    current.sub.unsubscribe();
    this.update({ state: 'unsubscribed' });
  }

  subscribe(listener: () => void): () => void {
    const entry = (): void => listener(); // the same function twice counts twice
    this.listeners.add(entry);
    return () => void this.listeners.delete(entry);
  }

  getSnapshot(): ChannelSnapshot {
    return this.snapshot;
  }

  private update(change: Partial<ChannelSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...change };
    for (const listener of [...this.listeners]) listener();
  }
}
