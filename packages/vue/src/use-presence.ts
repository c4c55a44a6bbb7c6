/** `usePresence(channel)`: who is in a channel, live, with loading, error and liveness. */
import {
  PresenceView,
  type PresenceViewMember,
  type PresenceViewSnapshot,
  type SyncStatus,
} from '@hubcast/client';
import type { HubcastError } from '@hubcast/protocol';
import {
  computed,
  onScopeDispose,
  shallowRef,
  toValue,
  watch,
  type ComputedRef,
  type MaybeRefOrGetter,
} from 'vue';
import { useHubcast } from './plugin.js';

export interface PresenceRefs {
  members: ComputedRef<readonly PresenceViewMember[]>;
  count: ComputedRef<number>;
  status: ComputedRef<SyncStatus>;
  error: ComputedRef<HubcastError | undefined>;
  isLive: ComputedRef<boolean>;
}

/** Members of `channel` (a ref or getter follows its changes); stops on scope dispose. */
export function usePresence(channel: MaybeRefOrGetter<string>): PresenceRefs {
  const client = useHubcast();
  const snapshot = shallowRef<PresenceViewSnapshot>({
    status: 'waiting',
    error: undefined,
    isLive: false,
    members: [],
    count: 0,
  });
  let stopCurrent: (() => void) | undefined;
  const follow = (name: string): void => {
    stopCurrent?.();
    const view = new PresenceView(client, name).start();
    const off = view.subscribe(() => (snapshot.value = view.getSnapshot()));
    snapshot.value = view.getSnapshot();
    stopCurrent = () => {
      off();
      view.stop();
    };
  };
  watch(() => toValue(channel), follow, { immediate: true });
  onScopeDispose(() => stopCurrent?.());
  return {
    members: computed(() => snapshot.value.members),
    count: computed(() => snapshot.value.count),
    status: computed(() => snapshot.value.status),
    error: computed(() => snapshot.value.error),
    isLive: computed(() => snapshot.value.isLive),
  };
}
