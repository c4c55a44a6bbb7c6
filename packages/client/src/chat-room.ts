/**
 * One chat room as a live View (docs/chat.md): history, pinned messages, members and read
 * receipts loaded once the room's subscription is live (again after a `reset`), the room's
 * events applied on top (chat-room-state.ts), typing indicators that expire, sends that show
 * as pending until their message arrives, and the room's actions. `openThread(root)` gives
 * the same for one thread.
 */
import {
  badRequest,
  chatChannel,
  type ChatMember,
  type ChatMessage,
  type ChatRoomEventData,
  type ChatTypingEventData,
  type HubcastError,
  type JsonValue,
} from '@hubcast/protocol';
import { ChatApi, type ChatRpc, type ChatSendOptions } from './chat-api.js';
import {
  applyRoomEvent,
  compareIds,
  emptyRoomState,
  expireTyping,
  noteTyping,
  trimOldest,
  upsertMessage,
  applyPinChange,
  type ChatRoomState,
} from './chat-room-state.js';
import type { HubcastEvent, SessionInfo } from './events.js';
import { randomKey } from './idempotency-key.js';
import { SnapshotSync, asHubcastError, type LiveSource, type SyncStatus } from './snapshot-sync.js';
import type { EventHandler, SubscribeOptions, Subscription } from './subscription.js';
import { ChatThread } from './chat-thread.js';
import { ViewState, type View } from './view.js';

/** Messages per history page. */
const PAGE_SIZE = 50;
/** The newest messages a room holds by default; older ones go (`hasOlder` turns true). */
export const DEFAULT_MAX_MESSAGES = 1000;
/** docs/chat.md §4: send `chat.typing` every 2-3 s while typing; the server allows 1/s. */
const TYPING_EVERY_MS = 2500;

/** A message sent from this client that has not come back yet. */
export interface PendingMessage {
  clientId: string;
  text: string;
  options: ChatSendOptions;
  status: 'sending' | 'failed';
  error?: HubcastError;
}

export interface ChatRoomSnapshot {
  status: SyncStatus;
  error: HubcastError | undefined;
  isLive: boolean;
  /** Oldest first; thread messages are in their threads. */
  messages: readonly ChatMessage[];
  /** Whether older messages exist (`loadOlder`). */
  hasOlder: boolean;
  pinned: readonly ChatMessage[];
  members: readonly ChatMember[];
  /** User to the newest message id they read. */
  reads: ReadonlyMap<string, string>;
  /** Users typing now, other than this session's user. */
  typing: readonly string[];
  pending: readonly PendingMessage[];
}

export interface ChatRoomOptions {
  /**
   * The most messages held (default 1,000): when a message arrives past it, the oldest go and
   * `hasOlder` turns true. `loadOlder()` may go past it until the next message arrives.
   */
  maxMessages?: number;
  /** The clock (ms since the epoch), for typing indicators. */
  now?: () => number;
}

/** What a room needs from the client (the client itself). */
export interface ChatSource extends LiveSource, ChatRpc {
  readonly session: Readonly<SessionInfo> | undefined;
  subscribe(pattern: string, handler: EventHandler, options?: SubscribeOptions): Subscription;
}

interface RoomLoad {
  messages: ChatMessage[];
  more: boolean;
  pinned: ChatMessage[];
  members: ChatMember[];
}

/** A live chat room with its actions. `start()` to follow it, `stop()` to let go. */
export class ChatRoom implements View<ChatRoomSnapshot> {
  readonly api: ChatApi;
  private state: ChatRoomState = emptyRoomState();
  private hasOlder = false;
  private pending: PendingMessage[] = [];
  private readonly sync: SnapshotSync<RoomLoad, HubcastEvent>;
  private readonly view: ViewState<ChatRoomSnapshot>;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private lastTypingSentMs = -Infinity;
  private readonly threads = new Set<ChatThread>();
  private readonly now: () => number;
  private readonly maxMessages: number;

  constructor(
    private readonly source: ChatSource,
    readonly room: string,
    options: ChatRoomOptions = {},
  ) {
    const { maxMessages = DEFAULT_MAX_MESSAGES, now = Date.now } = options;
    if (!Number.isSafeInteger(maxMessages) || maxMessages < 1)
      throw badRequest(`'maxMessages' must be a positive integer`);
    this.maxMessages = maxMessages;
    this.now = now;
    this.api = new ChatApi(source);
    this.view = new ViewState(
      () => ({
        status: this.sync.status,
        error: this.sync.error,
        isLive: this.sync.isLive,
        messages: [...this.state.messages],
        hasOlder: this.hasOlder,
        pinned: [...this.state.pinned],
        members: [...this.state.members.values()],
        reads: new Map(this.state.reads),
        typing: [...this.state.typing.keys()].filter((u) => u !== source.session?.user),
        pending: [...this.pending],
      }),
      (cause) =>
        queueMicrotask(() => {
          throw cause;
        }),
    );
    this.sync = new SnapshotSync({
      source,
      attach: (push) => source.subscribe(chatChannel(room), push),
      load: () => this.load(),
      applySnapshot: (snapshot, buffered) => this.applySnapshot(snapshot, buffered),
      apply: (event) => {
        const changed = this.applyEvent(event);
        if (this.trim() || changed) this.view.changed();
      },
      reloadOn: 'reset',
      onStatus: () => this.view.changed(),
    });
  }

  /** Subscribes to the room and loads it once live. Idempotent. */
  start(): this {
    this.sync.start();
    return this;
  }

  /** Unsubscribes (threads too). Idempotent. */
  stop(): void {
    this.sync.stop();
    clearTimeout(this.typingTimer);
    for (const thread of this.threads) thread.stop();
  }

  subscribe(listener: () => void): () => void {
    return this.view.subscribe(listener);
  }

  getSnapshot(): ChatRoomSnapshot {
    return this.view.getSnapshot();
  }

  /**
   * Sends a message; it shows in `pending` until it arrives. A failed send stays there as
   * `failed`: `retry(clientId)` sends it again with the same client id, so never twice.
   */
  async send(text: string, options: ChatSendOptions = {}): Promise<ChatMessage> {
    const clientId = options.clientId ?? randomKey();
    const entry: PendingMessage = {
      clientId,
      text,
      options: { ...options, clientId },
      status: 'sending',
    };
    this.pending = [...this.pending.filter((p) => p.clientId !== clientId), entry];
    this.view.changed();
    return this.sendPending(entry);
  }

  /** Sends a failed message again (same client id). */
  async retry(clientId: string): Promise<ChatMessage> {
    const entry = this.pending.find((p) => p.clientId === clientId);
    if (entry === undefined) throw new Error(`no pending message '${clientId}'`);
    return this.send(entry.text, entry.options);
  }

  /** Forgets a failed send. */
  discard(clientId: string): void {
    this.pending = this.pending.filter((p) => p.clientId !== clientId);
    this.view.changed();
  }

  /** Replies to `parentId` in the room (quoted). */
  reply(parentId: string, text: string, options: ChatSendOptions = {}): Promise<ChatMessage> {
    return this.send(text, { ...options, replyTo: parentId });
  }

  async edit(id: string, text: string, data?: JsonValue): Promise<ChatMessage> {
    return this.adopt(await this.api.edit(this.room, id, text, data));
  }

  async delete(id: string): Promise<ChatMessage> {
    return this.adopt(await this.api.delete(this.room, id));
  }

  /** Toggles the caller's reaction with `emoji`. */
  async react(id: string, emoji: string): Promise<ChatMessage> {
    return this.adopt((await this.api.react(this.room, id, emoji)).message);
  }

  async pin(id: string): Promise<ChatMessage> {
    return this.adopt(await this.api.pin(this.room, id));
  }

  async unpin(id: string): Promise<ChatMessage> {
    return this.adopt(await this.api.unpin(this.room, id));
  }

  /** Moves the read position to `id` (default: the newest message loaded). */
  async markRead(id?: string): Promise<{ lastRead: string; unread: number } | undefined> {
    const target = id ?? this.state.messages[this.state.messages.length - 1]?.id;
    if (target === undefined) return undefined;
    return this.api.markRead(this.room, target);
  }

  /** Call on each keystroke: sends `chat.typing` at most every 2.5 s. */
  async typing(): Promise<void> {
    const nowMs = this.now();
    if (nowMs - this.lastTypingSentMs < TYPING_EVERY_MS) return;
    this.lastTypingSentMs = nowMs;
    await this.api.typing(this.room);
  }

  /** Loads the page of messages before the oldest one held. */
  async loadOlder(): Promise<void> {
    const oldest = this.state.messages[0];
    if (oldest === undefined || !this.hasOlder) return;
    const page = await this.api.history(this.room, { before: oldest.id, limit: PAGE_SIZE });
    for (const m of page.messages) upsertMessage(this.state.messages, m, undefined);
    this.hasOlder = page.more;
    this.view.changed();
  }

  /** The thread of a root message, live while the room is started. */
  openThread(rootId: string): ChatThread {
    const thread: ChatThread = new ChatThread(
      {
        api: this.api,
        room: this.room,
        send: (text, options) => this.send(text, options),
        heldMessage: (id) => this.state.messages.find((m) => m.id === id),
        onStop: () => this.threads.delete(thread),
      },
      rootId,
    );
    this.threads.add(thread);
    if (this.sync.status === 'ready') thread.reload();
    return thread;
  }

  private async sendPending(entry: PendingMessage): Promise<ChatMessage> {
    try {
      const { message } = await this.api.send(this.room, entry.text, entry.options);
      return this.adopt(message);
    } catch (cause) {
      const error = asHubcastError(cause, 'send failed');
      this.pending = this.pending.map((p) =>
        p.clientId === entry.clientId ? { ...p, status: 'failed', error } : p,
      );
      this.view.changed();
      throw error;
    }
  }

  /** An rpc answer is a version of a message: apply it as its event would be. */
  private adopt(message: ChatMessage): ChatMessage {
    this.forwardToThreads(message);
    let changed = this.dropPending(message);
    if (message.thread_id === undefined) {
      const oldest = this.state.messages[0];
      const isNew = oldest === undefined || compareIds(message.id, oldest.id) >= 0;
      if (isNew && upsertMessage(this.state.messages, message, undefined)) changed = true;
    }
    if (applyPinChange(this.state.pinned, message)) changed = true;
    if (this.trim()) changed = true;
    if (changed) this.view.changed();
    return message;
  }

  private async load(): Promise<RoomLoad> {
    const [page, pinned, members] = await Promise.all([
      this.api.history(this.room, { limit: PAGE_SIZE }),
      this.api.pinned(this.room),
      this.api.members(this.room),
    ]);
    return { messages: page.messages, more: page.more, pinned, members };
  }

  private applySnapshot(snapshot: RoomLoad, buffered: readonly HubcastEvent[]): void {
    const typing = this.state.typing; // not part of any snapshot: keep who is typing
    this.state = emptyRoomState();
    this.state.typing = typing;
    for (const m of snapshot.messages) upsertMessage(this.state.messages, m, undefined);
    this.state.pinned = [...snapshot.pinned];
    for (const member of snapshot.members) {
      this.state.members.set(member.user, member);
      if (member.last_read !== undefined) this.state.reads.set(member.user, member.last_read);
    }
    this.hasOlder = snapshot.more;
    for (const event of buffered) this.applyEvent(event);
    this.trim();
    for (const m of this.state.messages) this.dropPending(m);
    for (const thread of this.threads) thread.reload();
  }

  /** Applies a room event; returns whether the view changed. */
  private applyEvent(event: HubcastEvent): boolean {
    const data = event.data as ChatRoomEventData | ChatTypingEventData | null;
    if (data === null || typeof data !== 'object' || typeof data.type !== 'string') return false;
    if (data.type === 'chat.typing') {
      if (data.user === this.source.session?.user) return false;
      noteTyping(this.state, data.user, this.now());
      this.scheduleTypingExpiry();
      return true;
    }
    let droppedPending = false;
    if (data.type === 'chat.message' || data.type === 'chat.message_updated') {
      this.forwardToThreads(data.message);
      droppedPending = this.dropPending(data.message);
    }
    return applyRoomEvent(this.state, data) || droppedPending;
  }

  /** Drops the oldest messages past the cap; the server still has them (`loadOlder`). */
  private trim(): boolean {
    if (!trimOldest(this.state.messages, this.maxMessages)) return false;
    this.hasOlder = true;
    return true;
  }

  private dropPending(message: ChatMessage): boolean {
    if (message.client_id === undefined || message.user !== this.source.session?.user) return false;
    const before = this.pending.length;
    this.pending = this.pending.filter((p) => p.clientId !== message.client_id);
    return this.pending.length !== before;
  }

  private forwardToThreads(message: ChatMessage): void {
    for (const thread of this.threads) thread.offer(message);
  }

  private scheduleTypingExpiry(): void {
    clearTimeout(this.typingTimer);
    const { changed, nextExpiryMs } = expireTyping(this.state, this.now());
    if (changed) this.view.changed();
    if (nextExpiryMs === undefined) return;
    this.typingTimer = setTimeout(
      () => this.scheduleTypingExpiry(),
      Math.max(0, nextExpiryMs - this.now()),
    );
  }
}
