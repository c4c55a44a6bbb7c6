/**
 * A chat room's state and how each room event changes it (docs/chat.md §4), as pure functions
 * (STYLE rule 7). No I/O, no timers: the clock is an argument. Messages are kept in id order
 * (ids are decimal strings of a growing sequence), and of two copies of a message the higher
 * `version` wins, so replays, rpc answers and events can arrive in any order.
 */
import type { ChatMember, ChatMessage, ChatRoomEventData } from '@hubcast/protocol';

/** How long a user shows as typing after their last `chat.typing` (docs/chat.md §4: ~6 s). */
export const TYPING_TTL_MS = 6000;

export interface ChatRoomState {
  /** The room's messages outside threads (or one thread's), oldest first. */
  messages: ChatMessage[];
  /** Most recently pinned first. */
  pinned: ChatMessage[];
  members: Map<string, ChatMember>;
  /** Read receipts: user to the newest message id they read. */
  reads: Map<string, string>;
  /** User to when their typing indicator expires (ms since the epoch). */
  typing: Map<string, number>;
}

export function emptyRoomState(): ChatRoomState {
  return { messages: [], pinned: [], members: new Map(), reads: new Map(), typing: new Map() };
}

/** Orders message ids: a longer decimal is larger, else compare as text. */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Puts `message` into an id-ordered list: inserted, or replacing an older version. Returns
 * whether the list changed. `threadId` says which messages belong: `undefined` for the room's
 * own (not in a thread), a root id for that thread's.
 */
export function upsertMessage(
  list: ChatMessage[],
  message: ChatMessage,
  threadId: string | undefined,
): boolean {
  if (message.thread_id !== threadId) return false;
  const i = findIndex(list, message.id);
  const held = list[i];
  if (held !== undefined && held.id === message.id) {
    if (message.version <= held.version) return false;
    list[i] = message;
    return true;
  }
  list.splice(i, 0, message);
  return true;
}

/**
 * Keeps the newest `max` messages of an id-ordered list, dropping the oldest in place (a room
 * left open on a busy channel must not grow without bound). Returns whether any went.
 */
export function trimOldest(list: ChatMessage[], max: number): boolean {
  if (list.length <= max) return false;
  list.splice(0, list.length - max);
  return true;
}

/** Updates a message only if the list holds it (an update of a message outside the window). */
export function updateHeld(list: ChatMessage[], message: ChatMessage): boolean {
  const i = findIndex(list, message.id);
  const held = list[i];
  if (held === undefined || held.id !== message.id || message.version <= held.version) return false;
  list[i] = message;
  return true;
}

/** Applies one event on `chat.<room>`; returns whether the state changed. */
export function applyRoomEvent(
  state: ChatRoomState,
  data: ChatRoomEventData,
  threadId?: string,
): boolean {
  switch (data.type) {
    case 'chat.message': {
      const { message } = data;
      // Their message is the end of their typing.
      const stoppedTyping = state.typing.delete(message.user);
      return upsertMessage(state.messages, message, threadId) || stoppedTyping;
    }
    case 'chat.message_updated': {
      const { message } = data;
      // A change to a message older than the loaded window stays out: it would leave a gap.
      const oldest = state.messages[0];
      const isInWindow = oldest !== undefined && compareIds(message.id, oldest.id) >= 0;
      const inList = isInWindow
        ? upsertMessage(state.messages, message, threadId)
        : updateHeld(state.messages, message);
      return applyPinChange(state.pinned, message) || inList;
    }
    case 'chat.member_joined':
    case 'chat.member_updated':
      state.members.set(data.member.user, data.member);
      return true;
    case 'chat.member_left': {
      const wasMember = state.members.delete(data.user);
      const hadRead = state.reads.delete(data.user);
      return wasMember || hadRead;
    }
    case 'chat.read': {
      const held = state.reads.get(data.user);
      if (held !== undefined && compareIds(data.message_id, held) <= 0) return false;
      state.reads.set(data.user, data.message_id);
      return true;
    }
    default:
      return false; // a type from a newer server
  }
}

/** Keeps the pinned list in step with a new version of a message. */
export function applyPinChange(pinned: ChatMessage[], message: ChatMessage): boolean {
  const i = pinned.findIndex((m) => m.id === message.id);
  const held = pinned[i];
  if (held !== undefined && message.version <= held.version) return false;
  const isPinned = message.pinned_at !== undefined && message.deleted_at === undefined;
  if (held !== undefined) pinned.splice(i, 1);
  if (!isPinned) return held !== undefined;
  // Most recently pinned first; equal times keep the newer message first.
  const at = pinned.findIndex((m) => (m.pinned_at ?? '') <= (message.pinned_at ?? ''));
  pinned.splice(at === -1 ? pinned.length : at, 0, message);
  return true;
}

/** Notes a `chat.typing` from `user` at `nowMs`. */
export function noteTyping(state: ChatRoomState, user: string, nowMs: number): void {
  state.typing.set(user, nowMs + TYPING_TTL_MS);
}

/** Drops expired typing indicators; returns whether any went, and when the next one expires. */
export function expireTyping(
  state: ChatRoomState,
  nowMs: number,
): { changed: boolean; nextExpiryMs: number | undefined } {
  let changed = false;
  let nextExpiryMs: number | undefined;
  for (const [user, expiresAtMs] of state.typing) {
    if (expiresAtMs <= nowMs) {
      state.typing.delete(user);
      changed = true;
    } else if (nextExpiryMs === undefined || expiresAtMs < nextExpiryMs) {
      nextExpiryMs = expiresAtMs;
    }
  }
  return { changed, nextExpiryMs };
}

/** The first index whose id is not below `id` (binary search over an id-ordered list). */
function findIndex(list: readonly ChatMessage[], id: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const m = list[mid];
    if (m !== undefined && compareIds(m.id, id) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
