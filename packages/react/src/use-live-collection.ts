/**
 * `useLiveCollection(options)` and `useLiveItem(collection, key)`: a keyed collection kept in
 * sync from a channel (the SDK's LiveCollection), shaped so a 5,000-row table re-renders one
 * row per change. The list component reads `keys`, which keeps its reference until an item is
 * added, removed or reordered, so a change to one item does not render the list; each row
 * reads its own item with `useLiveItem`, which renders only when that item changes.
 */
import {
  LiveCollection,
  type HubcastError,
  type ItemKey,
  type LiveCollectionOptions,
  type SyncStatus,
  type View,
} from '@hubcast/client';
import { useLayoutEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import { useHubcast } from './context.js';
import { useStartedView } from './use-view.js';

/** The collection's shape: what a list needs, without the items' values. */
export interface LiveCollectionState<T> {
  /** The collection itself: `get(key)`, `size`, and a View of all items (`useView`). */
  collection: LiveCollection<T>;
  /** The keys in order; the same array until an item is added, removed or reordered. */
  keys: readonly ItemKey[];
  status: SyncStatus;
  /** Why the last load failed, the subscription ended, or `map` threw. */
  error: HubcastError | undefined;
  /** False while the connection is away: the rows shown may be stale. */
  isLive: boolean;
  /** Loads a fresh snapshot. */
  reload: () => void;
}

/** The collection's shape as a startable View; starting it starts the collection. */
class CollectionShape<T> implements View<LiveCollectionState<T>> {
  private shape: LiveCollectionState<T>;
  private seen: unknown;

  constructor(
    private readonly collection: LiveCollection<T>,
    private readonly keyOf: (item: T) => ItemKey,
  ) {
    this.shape = {
      collection,
      keys: [],
      status: collection.status,
      error: collection.error,
      isLive: collection.isLive,
      reload: () => collection.reload(),
    };
  }

  start(): this {
    this.collection.start();
    return this;
  }

  stop(): void {
    this.collection.stop();
  }

  subscribe(listener: () => void): () => void {
    return this.collection.subscribe(listener);
  }

  getSnapshot(): LiveCollectionState<T> {
    const full = this.collection.getSnapshot();
    if (full === this.seen) return this.shape;
    this.seen = full;
    const old = this.shape;
    const keys = full.items.map(this.keyOf);
    const sameKeys = keys.length === old.keys.length && keys.every((k, i) => k === old.keys[i]);
    if (
      sameKeys &&
      full.status === old.status &&
      full.error === old.error &&
      full.isLive === old.isLive
    )
      return old;
    this.shape = {
      ...old,
      keys: sameKeys ? old.keys : keys,
      status: full.status,
      error: full.error,
      isLive: full.isLive,
    };
    return this.shape;
  }
}

/**
 * A live collection while mounted; a new `channel` makes a new one. The other options may be
 * new functions each render: the latest are called.
 */
export function useLiveCollection<T>(options: LiveCollectionOptions<T>): LiveCollectionState<T> {
  const connection = useHubcast();
  const latest = useRef(options);
  useLayoutEffect(() => {
    latest.current = options;
  });
  const hasVersion = options.version !== undefined;
  return useStartedView(() => {
    const keyOf = (item: T): ItemKey => latest.current.key(item);
    const collection = new LiveCollection<T>(connection, {
      channel: options.channel,
      key: keyOf,
      load: (ctx) => latest.current.load(ctx),
      map: (event) => latest.current.map(event),
      ...(hasVersion ? { version: (item: T) => latest.current.version?.(item) ?? 0 } : {}),
      maxBufferedEvents: options.maxBufferedEvents,
    });
    return new CollectionShape(collection, keyOf);
  }, [connection, options.channel, hasVersion, options.maxBufferedEvents]).snapshot;
}

/** One item of a collection: the component renders again only when that item changes. */
export function useLiveItem<T>(collection: LiveCollection<T>, key: ItemKey): T | undefined {
  const bound = useMemo(
    () => ({
      subscribe: (listener: () => void) => collection.subscribe(listener),
      getItem: () => collection.get(key),
    }),
    [collection, key],
  );
  return useSyncExternalStore(bound.subscribe, bound.getItem, bound.getItem);
}
