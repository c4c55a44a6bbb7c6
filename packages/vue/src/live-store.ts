/**
 * `defineLiveStore(id, {channel, key, load, map})`: a Pinia store holding a LiveCollection as
 * a `shallowReactive` Map of `reactive` items. A change to one item is applied to that item in
 * place (only the fields that differ are set), so only the components that read it render
 * again: a 5,000-row table re-renders one row, not the list. Adding or removing an item
 * changes the Map, which re-renders what iterates it (the list), not the other rows.
 */
import {
  LiveCollection,
  type CollectionChange,
  type HubcastConnection,
  type ItemKey,
  type LiveCollectionOptions,
  type SyncStatus,
} from '@hubcast/client';
import type { HubcastError } from '@hubcast/protocol';
import { defineStore } from 'pinia';
import {
  computed,
  onScopeDispose,
  reactive,
  ref,
  shallowReactive,
  shallowRef,
  type ComputedRef,
  type Ref,
  type ShallowRef,
} from 'vue';
import { useHubcast } from './plugin.js';

export interface LiveStoreOptions<T extends object> extends LiveCollectionOptions<T> {
  /** The connection (a client or a shared one); by default the one `createHubcast` provided to the app. */
  client?: HubcastConnection;
}

/** What a live store holds. */
export interface LiveStoreSetup<T extends object> {
  /** Key to reactive item; iterate it (or `list`) to render the rows. */
  items: Map<ItemKey, T>;
  /** The items in insertion order; recomputed only when items are added or removed. */
  list: ComputedRef<T[]>;
  size: ComputedRef<number>;
  status: Ref<SyncStatus>;
  error: ShallowRef<HubcastError | undefined>;
  /** False while the client reconnects: the rows shown may be stale. */
  isLive: Ref<boolean>;
  /** Loads a fresh snapshot. */
  reload: () => void;
}

/** Defines a Pinia store kept in sync with `options.channel`; the collection starts on first use. */
export function defineLiveStore<Id extends string, T extends object>(
  id: Id,
  options: LiveStoreOptions<T>,
) {
  return defineStore(id, (): LiveStoreSetup<T> => {
    const client = options.client ?? useHubcast();
    const items = shallowReactive(new Map<ItemKey, T>());
    const status = ref<SyncStatus>('waiting');
    const error = shallowRef<HubcastError | undefined>(undefined);
    const isLive = ref(false);
    const collection = new LiveCollection<T>(client, options);
    collection.onChange((change) => applyChange(items, change, options.key));
    collection.subscribe(() => {
      status.value = collection.status;
      error.value = collection.error;
      isLive.value = collection.isLive;
    });
    collection.start();
    onScopeDispose(() => collection.stop()); // `store.$dispose()`
    return {
      items,
      list: computed(() => [...items.values()]),
      size: computed(() => items.size),
      status,
      error,
      isLive,
      reload: () => collection.reload(),
    };
  });
}

/**
 * Applies one collection change to the reactive map. Exported for tests and for bindings that
 * keep their own map.
 */
export function applyChange<T extends object>(
  items: Map<ItemKey, T>,
  change: CollectionChange<T>,
  keyOf: (item: T) => ItemKey,
): void {
  switch (change.kind) {
    case 'reset': {
      // Items that stay keep their reactive object (their rows keep their state); the rest go.
      const next = new Map(change.items.map((item) => [keyOf(item), item] as const));
      for (const key of [...items.keys()]) if (!next.has(key)) items.delete(key);
      for (const [key, item] of next) upsertInPlace(items, key, item);
      return;
    }
    case 'upsert':
      return upsertInPlace(items, change.key, change.item);
    case 'patch': {
      const target = items.get(change.key);
      if (target === undefined) return upsertInPlace(items, change.key, change.item);
      Object.assign(target, change.patch);
      return;
    }
    case 'delete':
      items.delete(change.key);
      return;
    default: {
      const unknownChange: never = change;
      throw new Error(`unknown change ${JSON.stringify(unknownChange)}`);
    }
  }
}

/** Sets the fields that differ on the held reactive item, or adds a new reactive item. */
function upsertInPlace<T extends object>(items: Map<ItemKey, T>, key: ItemKey, item: T): void {
  const target = items.get(key) as Record<string, unknown> | undefined;
  if (target === undefined) {
    items.set(key, reactive({ ...item }) as T);
    return;
  }
  const source = item as Record<string, unknown>;
  for (const field of Object.keys(target)) if (!(field in source)) delete target[field];
  // Reactive setters skip equal values already, but only for primitives: compare first.
  for (const [field, value] of Object.entries(source))
    if (!Object.is(target[field], value)) target[field] = value;
}
