/**
 * The chat service's durable data (docs/chat.md): rooms, members and roles, messages with their
 * edits, tombstones, replies, threads, reactions and pins, read positions and profiles.
 * `SqliteChatStore`, `PostgresChatStore` and `MemoryChatStore` implement it side by side
 * (`chat-sqlite.ts`, `chat-postgres.ts`, `chat-memory.ts`) and pass `chat-store.contract.ts`.
 *
 * Contract:
 * - Every call is scoped by `org`, as in `NotificationStore`: one org can neither see nor
 *   change another's rooms, even with the same names, and message ids count per org.
 * - Each change writes the events that tell about it into the store's push outbox
 *   (`PendingPush`, the one the notification inbox uses) in the same transaction: the
 *   `ChatRoomEventData` on `chat.<room>`, the `ChatUserEventData` on `user.<id>.chat`. The push
 *   relay moves them into the log in commit order, so every device sees changes in the order
 *   they were committed and none is lost to a crash between commit and append.
 * - Authorization that depends on stored state is decided inside the transaction that acts on
 *   it (is the caller a member, the author, an owner), so no race can slip past it. Refusals are
 *   `HubcastError`s: `not_found` (no such room or message, or the caller is not a member: a
 *   non-member cannot tell a private room from a missing one), `forbidden` (a member without
 *   the role or authorship the change needs), `conflict` (the room exists), `bad_request`.
 * - A backend that cannot answer rejects with `StoreUnavailableError`, as the inbox does.
 */
import type { ChatMember, ChatMessage, ChatRole, ChatRoom, JsonValue } from '@hubcast/protocol';

export interface CreateRoomInput {
  room: string;
  title?: string;
  /** Becomes the first owner; `undefined` when the HTTP API (a backend) creates the room. */
  owner?: string;
  /** Joined as `member` (an owner named here stays owner). */
  members?: readonly string[];
}

export interface SendInput {
  room: string;
  user: string;
  text: string;
  data?: JsonValue;
  /** Within a room and sender, a second send with the same id answers the first message. */
  clientId?: string;
  /** A message of the same room; its author and excerpt are copied into `reply_to`. */
  replyTo?: string;
  /** A root message of the same room (not itself in a thread); the send raises its reply_count. */
  threadId?: string;
  /** Members of the room, each once; a non-member is a `bad_request`. */
  mentions?: readonly string[];
}

export interface SendResult {
  message: ChatMessage;
  /** True when `clientId` was used before: nothing was written. */
  duplicate: boolean;
}

export interface EditInput {
  room: string;
  user: string;
  id: string;
  text: string;
  /** Replaces `data` when given; `null` is a value, absent keeps it. */
  data?: JsonValue;
}

export interface MessageRef {
  room: string;
  /** The caller, who must be a member. */
  user: string;
  id: string;
}

export interface ReactInput extends MessageRef {
  emoji: string;
}

export interface HistoryOptions {
  /** 1 to `CHAT_HISTORY_LIMIT_MAX`. */
  limit: number;
  /** Only messages older than this id. */
  before?: string;
  /** Only messages newer than this id (not with `before`). */
  after?: string;
  /** Only the thread of this root (the root itself excluded); without it, messages not in a thread. */
  threadId?: string;
}

export interface MessagePage {
  /** Oldest first, deleted ones included as tombstones. */
  messages: ChatMessage[];
  /** More matching messages exist past this page in the direction read. */
  more: boolean;
}

export interface RoomOfUser {
  room: ChatRoom;
  role: ChatRole;
  /** Messages newer than the member's `last_read`, not theirs and not deleted. */
  unread: number;
  last_read?: string;
}

export interface ChatProfile {
  /** An IANA zone name (`Europe/Berlin`), checked by the caller; absent until set. */
  time_zone?: string;
}

/** The largest page of `history` and `search`. */
export const CHAT_HISTORY_LIMIT_MAX = 200;

export interface ChatStore {
  /** Creates the room with its owner and members; `conflict` when the name is taken. */
  createRoom(org: string, input: CreateRoomInput): Promise<ChatRoom>;
  /** The room, when `user` is a member (or `user` is undefined: the HTTP API asks). */
  room(org: string, room: string, user?: string): Promise<ChatRoom | undefined>;
  /** The user's membership, or `undefined`; the check `subscribe` makes (keep it one lookup). */
  member(org: string, room: string, user: string): Promise<ChatMember | undefined>;
  /** Every member, by join order; `not_found` when `user` is given and not a member. */
  members(org: string, room: string, user?: string): Promise<ChatMember[]>;
  /**
   * Adds members: `by` must be an owner (undefined: the HTTP API). A user who is a member
   * already keeps their role and is not reported. Answers the new members.
   */
  addMembers(
    org: string,
    room: string,
    users: readonly string[],
    by?: string,
  ): Promise<ChatMember[]>;
  /**
   * Removes `user`: themselves (leave) or, by an owner, another member. The last owner cannot
   * leave while other members stay (`conflict`). Answers whether they were a member.
   */
  removeMember(org: string, room: string, user: string, by?: string): Promise<boolean>;
  /** Sets a member's role; `by` must be an owner; the last owner cannot step down (`conflict`). */
  setRole(
    org: string,
    room: string,
    user: string,
    role: ChatRole,
    by?: string,
  ): Promise<ChatMember>;
  /** The user's rooms with their unread counts, by room name. */
  roomsOf(org: string, user: string): Promise<RoomOfUser[]>;

  send(org: string, input: SendInput): Promise<SendResult>;
  /** Only the author edits; a deleted message cannot be edited (`conflict`). */
  edit(org: string, input: EditInput): Promise<ChatMessage>;
  /** The author or an owner deletes; deleting twice answers the tombstone unchanged. */
  delete(org: string, input: MessageRef): Promise<ChatMessage>;
  /** Toggles `user`'s reaction; answers the message and whether the reaction is now on. */
  react(org: string, input: ReactInput): Promise<{ message: ChatMessage; added: boolean }>;
  /** Any member pins or unpins; pinning a pinned message answers it unchanged. */
  pin(org: string, input: MessageRef, pinned: boolean): Promise<ChatMessage>;
  /** Pinned messages, most recently pinned first. */
  pinned(org: string, room: string, user: string): Promise<ChatMessage[]>;
  message(org: string, input: MessageRef): Promise<ChatMessage>;
  history(org: string, room: string, user: string, options: HistoryOptions): Promise<MessagePage>;
  /** Messages (not deleted) whose text contains `text`, case-insensitively; newest first. */
  search(
    org: string,
    room: string,
    user: string,
    text: string,
    options: { limit: number; before?: string },
  ): Promise<MessagePage>;
  /**
   * Moves the member's read position forward to `id` (a message of the room; an older id than
   * the current position changes nothing) and answers the position and unread count. A move
   * pushes `chat.read` on the room and `chat.unread` on `user.<id>.chat`.
   */
  markRead(
    org: string,
    input: MessageRef,
  ): Promise<{ last_read: string; unread: number; moved: boolean }>;

  profile(org: string, user: string): Promise<ChatProfile>;
  setProfile(org: string, user: string, profile: ChatProfile): Promise<ChatProfile>;
}
