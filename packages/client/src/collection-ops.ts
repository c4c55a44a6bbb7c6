/**
 * What an event does to a keyed collection, as pure functions (STYLE rule 7): the live
 * collection maps each event to ops and applies them here, and bindings get the resulting
 * change, so Vue can mutate the one reactive item it names and React can re-read a snapshot.
 */

/** An item's key in a collection. */
export type ItemKey = string | number;

/** What an event means for a collection, as returned by a `map` function. */
export type CollectionOp<T> =
  | { op: 'upsert'; item: T }
  | { op: 'patch'; key: ItemKey; patch: Partial<T> }
  | { op: 'delete'; key: ItemKey };

/**
 * A change a collection made, for bindings that update one item in place. `item` is the new
 * (for `delete`, the removed) item; `reset` replaced the whole collection with `items`.
 */
export type CollectionChange<T> =
  | { kind: 'upsert'; key: ItemKey; item: T; previous: T | undefined }
  | { kind: 'patch'; key: ItemKey; item: T; patch: Partial<T> }
  | { kind: 'delete'; key: ItemKey; item: T }
  | { kind: 'reset'; items: readonly T[] };

export interface ReduceOptions<T> {
  keyOf: (item: T) => ItemKey;
  /** An item's version: a change to a lower version than the one held is stale and skipped. */
  versionOf?: ((item: T) => number) | undefined;
}

/** The key an op concerns. */
export function keyOfOp<T>(op: CollectionOp<T>, keyOf: (item: T) => ItemKey): ItemKey {
  return op.op === 'upsert' ? keyOf(op.item) : op.key;
}

/**
 * The change `op` makes to the item held under its key (`current`), or `undefined` when it
 * changes nothing: a patch or delete of an unknown item, a patch that sets what is already
 * there, or a stale version. No change means no render.
 */
export function reduceOp<T>(
  current: T | undefined,
  op: CollectionOp<T>,
  options: ReduceOptions<T>,
): CollectionChange<T> | undefined {
  const { versionOf } = options;
  const isStale = (next: T): boolean =>
    current !== undefined && versionOf !== undefined && versionOf(next) < versionOf(current);
  switch (op.op) {
    case 'upsert': {
      if (isStale(op.item)) return undefined;
      const key = options.keyOf(op.item);
      return { kind: 'upsert', key, item: op.item, previous: current };
    }
    case 'patch': {
      if (current === undefined) return undefined;
      const changed = changedFields(current, op.patch);
      if (changed === undefined) return undefined;
      const item = { ...current, ...changed };
      if (isStale(item)) return undefined;
      return { kind: 'patch', key: op.key, item, patch: changed };
    }
    case 'delete':
      if (current === undefined) return undefined;
      return { kind: 'delete', key: op.key, item: current };
    default: {
      const unknownOp: never = op;
      throw new Error(`unknown collection op ${JSON.stringify(unknownOp)}`);
    }
  }
}

/** The fields of `patch` whose values differ from `current`'s, or `undefined` if none do. */
export function changedFields<T>(current: T, patch: Partial<T>): Partial<T> | undefined {
  let changed: Partial<T> | undefined;
  for (const field of Object.keys(patch) as (keyof T)[]) {
    const value = patch[field];
    if (value === undefined || Object.is(current[field], value)) continue;
    (changed ??= {} as Partial<T>)[field] = value;
  }
  return changed;
}

/** Normalises what a `map` function returned to a list of ops. */
export function toOps<T>(
  mapped: CollectionOp<T> | readonly CollectionOp<T>[] | undefined | null,
): readonly CollectionOp<T>[] {
  if (mapped === undefined || mapped === null) return [];
  // Array.isArray narrows a readonly array to any[]: test for the op's shape instead.
  return 'op' in mapped ? [mapped] : mapped;
}
