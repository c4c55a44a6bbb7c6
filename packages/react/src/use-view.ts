/** `useView(view)`: any SDK View (`subscribe` + `getSnapshot`) read with useSyncExternalStore. */
import type { View } from '@hubcast/client';
import { useMemo, useSyncExternalStore } from 'react';
import { leasedView, type Startable } from './lease.js';

/** The view's current snapshot; the component renders again when it changes. */
export function useView<S>(view: View<S>): S {
  // Bound once per view: a new `subscribe` each render would resubscribe each render.
  const bound = useMemo(
    () => ({
      subscribe: (listener: () => void) => view.subscribe(listener),
      getSnapshot: () => view.getSnapshot(),
    }),
    [view],
  );
  return useSyncExternalStore(bound.subscribe, bound.getSnapshot, bound.getSnapshot);
}

/** The snapshot type of a view. */
export type SnapshotOf<V> = V extends View<infer S> ? S : never;

/**
 * A view made by `create` (again when `deps` change), started while the component is mounted
 * and stopped after it unmounts, and its snapshot. Making a view opens nothing; the lease
 * starts it from the subscribe effect.
 */
export function useStartedView<V extends View<unknown> & Startable>(
  create: () => V,
  deps: readonly unknown[],
): { view: V; snapshot: SnapshotOf<V> } {
  const entry = useMemo(() => {
    const view = create();
    return { view, leased: leasedView(view as View<SnapshotOf<V>> & Startable) };
  }, deps);
  return { view: entry.view, snapshot: useView(entry.leased) };
}
