/**
 * Any SDK View (`subscribe` + `getSnapshot`) as a Vue shallow ref that follows it until the
 * current effect scope is disposed; the composables are thin wrappers over this.
 */
import type { View } from '@hubcast/client';
import { getCurrentScope, onScopeDispose, shallowRef, type ShallowRef } from 'vue';

/** A shallow ref of the view's snapshot; `stop` (also on scope dispose) detaches it. */
export function useView<S>(
  view: View<S>,
  onDispose?: () => void,
): { snapshot: Readonly<ShallowRef<S>>; stop: () => void } {
  const snapshot = shallowRef(view.getSnapshot());
  const unsubscribe = view.subscribe(() => {
    // Snapshots are stable references: an unchanged one sets nothing and renders nothing.
    snapshot.value = view.getSnapshot();
  });
  let isStopped = false;
  const stop = (): void => {
    if (isStopped) return;
    isStopped = true;
    unsubscribe();
    onDispose?.();
  };
  if (getCurrentScope() !== undefined) onScopeDispose(stop);
  return { snapshot, stop };
}
