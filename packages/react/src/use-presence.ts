/** `usePresence(channel)`: who is in a channel, live, with loading, error and liveness. */
import { PresenceView, type PresenceViewSnapshot } from '@hubcast/client';
import { useHubcast } from './context.js';
import { useStartedView } from './use-view.js';

/** Members of `channel` while mounted; a new `channel` follows the new one. */
export function usePresence(channel: string): PresenceViewSnapshot {
  const connection = useHubcast();
  return useStartedView(() => new PresenceView(connection, channel), [connection, channel])
    .snapshot;
}
