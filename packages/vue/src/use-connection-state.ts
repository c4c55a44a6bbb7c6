/** `useConnectionState()`: the client's state, last error and reconnect attempt, as refs. */
import { ConnectionView, type ConnectionSnapshot } from '@hubcast/client';
import { computed, type ComputedRef } from 'vue';
import { useHubcast } from './plugin.js';
import { useView } from './use-view.js';

export interface ConnectionStateRefs {
  state: ComputedRef<ConnectionSnapshot['state']>;
  isConnected: ComputedRef<boolean>;
  session: ComputedRef<ConnectionSnapshot['session']>;
  lastError: ComputedRef<ConnectionSnapshot['lastError']>;
  lastDisconnect: ComputedRef<ConnectionSnapshot['lastDisconnect']>;
  reconnectAttempt: ComputedRef<number>;
  willReconnect: ComputedRef<boolean>;
  /** The last connect's `resumed` (see `ConnectionSnapshot`). */
  resumed: ComputedRef<ConnectionSnapshot['resumed']>;
}

/** The connection of the app's client, followed until the scope is disposed. */
export function useConnectionState(): ConnectionStateRefs {
  const view = new ConnectionView(useHubcast());
  const { snapshot } = useView(view, () => view.stop());
  return {
    state: computed(() => snapshot.value.state),
    isConnected: computed(() => snapshot.value.state === 'connected'),
    session: computed(() => snapshot.value.session),
    lastError: computed(() => snapshot.value.lastError),
    lastDisconnect: computed(() => snapshot.value.lastDisconnect),
    reconnectAttempt: computed(() => snapshot.value.reconnectAttempt),
    willReconnect: computed(() => snapshot.value.willReconnect),
    resumed: computed(() => snapshot.value.resumed),
  };
}
