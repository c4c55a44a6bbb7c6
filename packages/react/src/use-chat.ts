/**
 * `useChat(room)`: a chat room (the SDK's ChatRoom) while mounted, with its actions on `room`
 * (`send`, `edit`, `delete`, `react`, `pin`, `unpin`, `reply`, `openThread`, `markRead`,
 * `typing`, `loadOlder`, `retry`, `api`). A new `room` name moves to that room.
 */
import { ChatRoom, type ChatRoomSnapshot } from '@hubcast/client';
import { useHubcast } from './context.js';
import { useStartedView } from './use-view.js';

export interface ChatState extends ChatRoomSnapshot {
  /** The room, for its actions. */
  room: ChatRoom;
}

/** The room `room`, live while mounted. */
export function useChat(room: string): ChatState {
  const connection = useHubcast();
  const { view, snapshot } = useStartedView(
    () => new ChatRoom(connection, room),
    [connection, room],
  );
  return { ...snapshot, room: view };
}
