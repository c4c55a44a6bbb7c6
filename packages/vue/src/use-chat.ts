/**
 * `useChat(room)`: a chat room (the SDK's ChatRoom) as refs, with its actions. A ref or getter
 * for `room` moves to the new room when it changes; the room is let go on scope dispose.
 */
import { ChatRoom, type ChatRoomSnapshot } from '@hubcast/client';
import {
  computed,
  onScopeDispose,
  shallowRef,
  toValue,
  watch,
  type ComputedRef,
  type MaybeRefOrGetter,
  type ShallowRef,
} from 'vue';
import { useHubcast } from './plugin.js';

type Refs = { [K in keyof ChatRoomSnapshot]: ComputedRef<ChatRoomSnapshot[K]> };

export interface ChatRefs extends Refs {
  /** The current room: its actions (`send`, `edit`, `delete`, `react`, `pin`, `unpin`,
   * `reply`, `openThread`, `markRead`, `typing`, `loadOlder`, `retry`) and `api`. */
  room: ShallowRef<ChatRoom>;
}

/** The room `room`, live until the scope is disposed. */
export function useChat(room: MaybeRefOrGetter<string>): ChatRefs {
  const client = useHubcast();
  const current = shallowRef(new ChatRoom(client, toValue(room)));
  const snapshot = shallowRef<ChatRoomSnapshot>(current.value.getSnapshot());
  let off: (() => void) | undefined;
  const follow = (chat: ChatRoom): void => {
    off?.();
    chat.start();
    const unsubscribe = chat.subscribe(() => (snapshot.value = chat.getSnapshot()));
    snapshot.value = chat.getSnapshot();
    off = () => {
      unsubscribe();
      chat.stop();
    };
  };
  follow(current.value);
  watch(
    () => toValue(room),
    (name) => {
      current.value = new ChatRoom(client, name);
      follow(current.value);
    },
  );
  onScopeDispose(() => off?.());
  const field = <K extends keyof ChatRoomSnapshot>(k: K): ComputedRef<ChatRoomSnapshot[K]> =>
    computed(() => snapshot.value[k]);
  return {
    room: current,
    status: field('status'),
    error: field('error'),
    isLive: field('isLive'),
    messages: field('messages'),
    hasOlder: field('hasOlder'),
    pinned: field('pinned'),
    members: field('members'),
    reads: field('reads'),
    typing: field('typing'),
    pending: field('pending'),
  };
}
