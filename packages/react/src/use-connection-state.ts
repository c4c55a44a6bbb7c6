/** `useConnectionState()`: the connection's state, last error and reconnect attempt. */
import { ConnectionView, type ConnectionSnapshot, type HubcastConnection } from '@hubcast/client';
import { useHubcast } from './context.js';
import { useView } from './use-view.js';

/**
 * One view per connection, kept as long as the connection: it listens from its construction,
 * so making one per render (or per StrictMode mount) would leak listeners.
 */
const views = new WeakMap<HubcastConnection, ConnectionView>();

function connectionView(connection: HubcastConnection): ConnectionView {
  let view = views.get(connection);
  if (view === undefined) {
    view = new ConnectionView(connection);
    views.set(connection, view);
  }
  return view;
}

export interface ConnectionState extends ConnectionSnapshot {
  isConnected: boolean;
}

/** The connection of the nearest provider; renders again on each change. */
export function useConnectionState(): ConnectionState {
  const snapshot = useView(connectionView(useHubcast()));
  return withConnected(snapshot);
}

/** The same object for the same snapshot, so memoized children see a stable value. */
const derived = new WeakMap<ConnectionSnapshot, ConnectionState>();
function withConnected(snapshot: ConnectionSnapshot): ConnectionState {
  let state = derived.get(snapshot);
  if (state === undefined) {
    state = { ...snapshot, isConnected: snapshot.state === 'connected' };
    derived.set(snapshot, state);
  }
  return state;
}
