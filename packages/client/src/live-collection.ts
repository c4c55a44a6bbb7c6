/**
 * A keyed collection kept in sync from a channel's events: a snapshot from `load` (first, and
 * again after a `reset`), then each event mapped to `upsert`, `patch` or `delete` ops by `map`.
 * The ordering rules are SnapshotSync's. Two ways to follow it: `subscribe`/`getSnapshot` (a
 * View, for React's `useSyncExternalStore`) and `onChange`, one call per item changed (for
 * bindings that mutate the one reactive item, as `@hubcast/vue` does).
 */
import type { HubcastError } from '@hubcast/protocol';
import {
  keyOfOp,
  reduceOp,
  toOps,
  type CollectionChange,
  type CollectionOp,
  type ItemKey,
} from './collection-ops.js';
import type { HubcastEvent } from './events.js';
import { SnapshotSync, asHubcastError, type LiveSource, type SyncStatus } from './snapshot-sync.js';
import type { EventHandler, SubscribeOptions, Subscription } from './subscription.js';
import { ViewState, type View } from './view.js';

/** What `load` answers: the items, and optionally the cursor of the last event they hold. */
export type CollectionSnapshotResult<T> =
  | readonly T[]
  | {
      items: readonly T[];
      /**
       * The cursor of the newest event the items reflect (e.g. from `history`): buffered events
       * up to it are skipped rather than applied again.
       */
      cursor?: string;
    };

export interface LiveCollectionOptions<T> {
  /** The pattern whose events change the collection. */
  channel: string;
  /** An item's key. */
  key: (item: T) => ItemKey;
  /** The whole collection as of now (a REST call, `history`, an rpc). */
  load: (ctx: { signal: AbortSignal }) => Promise<CollectionSnapshotResult<T>>;
  /** What an event does to the collection; `undefined` for nothing. */
  map: (event: HubcastEvent) => CollectionOp<T> | readonly CollectionOp<T>[] | undefined;
  /** An item's version: changes to a lower version than the one held are skipped. */
  version?: (item: T) => number;
  /**
   * Events kept while the snapshot loads (default 10,000); past it the load ends with a
   * `limit_exceeded` error instead of growing memory, and `reload()` tries again.
   */
  maxBufferedEvents?: number;
}

/** What the collection looks like now (a stable reference until it changes). */
export interface CollectionSnapshot<T> {
  status: SyncStatus;
  /** Why the last load failed, the subscription ended, or `map` threw. */
  error: HubcastError | undefined;
  /** The subscription is live (false while the client reconnects). */
  isLive: boolean;
  /** In insertion order (snapshot order, then new keys as they arrive). */
  items: readonly T[];
}

/** What a live collection needs from the client (the client itself). */
export interface CollectionSource extends LiveSource {
  subscribe(pattern: string, handler: EventHandler, options?: SubscribeOptions): Subscription;
}

/** A keyed collection kept in sync from a channel: a View plus per-item change callbacks. */
export class LiveCollection<T> implements View<CollectionSnapshot<T>> {
  private readonly items = new Map<ItemKey, T>();
  private readonly changeListeners = new Set<(change: CollectionChange<T>) => void>();
  private readonly sync: SnapshotSync<CollectionSnapshotResult<T>, HubcastEvent>;
  private readonly view: ViewState<CollectionSnapshot<T>>;
  private mapError: HubcastError | undefined;

  constructor(
    source: CollectionSource,
    private readonly options: LiveCollectionOptions<T>,
  ) {
    this.view = new ViewState(
      () => ({
        status: this.sync.status,
        error: this.error,
        isLive: this.sync.isLive,
        items: [...this.items.values()],
      }),
      (error) => this.reportListenerError(error),
    );
    this.sync = new SnapshotSync({
      source,
      attach: (push) => source.subscribe(options.channel, push),
      load: (signal) => options.load({ signal }),
      applySnapshot: (snapshot, buffered) => this.applySnapshot(snapshot, buffered),
      apply: (event) => this.applyEvent(event),
      reloadOn: 'reset',
      onStatus: () => this.view.changed(),
      maxBufferedEvents: options.maxBufferedEvents,
    });
  }

  get status(): SyncStatus {
    return this.sync.status;
  }

  get error(): HubcastError | undefined {
    return this.sync.error ?? this.mapError;
  }

  get isLive(): boolean {
    return this.sync.isLive;
  }

  get size(): number {
    return this.items.size;
  }

  get(key: ItemKey): T | undefined {
    return this.items.get(key);
  }

  /** Subscribes and loads once live; fine while offline. Idempotent. */
  start(): this {
    this.sync.start();
    return this;
  }

  /** Unsubscribes; the items stay until the next `start()` reloads them. Idempotent. */
  stop(): void {
    this.sync.stop();
  }

  /** Loads a fresh snapshot (now if live, else once the subscription is). */
  reload(): void {
    this.sync.reload();
  }

  subscribe(listener: () => void): () => void {
    return this.view.subscribe(listener);
  }

  getSnapshot(): CollectionSnapshot<T> {
    return this.view.getSnapshot();
  }

  /** Calls `listener` with each change, before the View's listeners hear of it. */
  onChange(listener: (change: CollectionChange<T>) => void): () => void {
    const entry = (change: CollectionChange<T>): void => listener(change);
    this.changeListeners.add(entry);
    return () => void this.changeListeners.delete(entry);
  }

  private applySnapshot(result: CollectionSnapshotResult<T>, buffered: readonly HubcastEvent[]) {
    const isList = Array.isArray(result);
    const list = isList ? (result as readonly T[]) : (result as { items: readonly T[] }).items;
    const cursor = isList ? undefined : (result as { cursor?: string }).cursor;
    this.items.clear();
    for (const item of list) this.items.set(this.options.key(item), item);
    this.mapError = undefined;
    this.emitChange({ kind: 'reset', items: list });
    // Events up to the snapshot's own cursor are in it already; a cursor not among them means
    // the snapshot predates them all (or names none of them): apply every one.
    const skip = cursor === undefined ? -1 : buffered.findIndex((e) => e.cursor === cursor);
    for (const event of buffered.slice(skip + 1)) this.applyEvent(event, false);
    this.view.changed();
  }

  private applyEvent(event: HubcastEvent, notifyView = true): void {
    let ops: readonly CollectionOp<T>[];
    try {
      ops = toOps(this.options.map(event));
    } catch (cause) {
      this.mapError = asHubcastError(cause, `map threw on an event of '${event.channel}'`);
      if (notifyView) this.view.changed();
      return;
    }
    let changed = false;
    for (const op of ops) {
      const key = keyOfOp(op, this.options.key);
      const change = reduceOp(this.items.get(key), op, {
        keyOf: this.options.key,
        versionOf: this.options.version,
      });
      if (change === undefined) continue;
      if (change.kind === 'delete') this.items.delete(key);
      else if (change.kind !== 'reset') this.items.set(key, change.item);
      changed = true;
      this.emitChange(change);
    }
    if (changed && notifyView) this.view.changed();
  }

  private emitChange(change: CollectionChange<T>): void {
    for (const listener of [...this.changeListeners]) {
      try {
        listener(change);
      } catch (error) {
        this.reportListenerError(error);
      }
    }
  }

  private reportListenerError(cause: unknown): void {
    // A throwing listener is the app's bug; it must not stop the collection.
    queueMicrotask(() => {
      throw cause;
    });
  }
}
