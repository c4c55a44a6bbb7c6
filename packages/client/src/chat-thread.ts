/**
 * One thread of a chat room (docs/chat.md §1: messages with `thread_id`), live through the
 * room's subscription: the room forwards every version of a message to its open threads, and
 * reloads them when it reloads itself.
 */
import type { ChatMessage, HubcastError } from '@hubcast/protocol';
import type { ChatApi, ChatSendOptions } from './chat-api.js';
import { upsertMessage } from './chat-room-state.js';
import { asHubcastError } from './snapshot-sync.js';
import { ViewState, type View } from './view.js';

/** The most messages a thread loads (the server's largest history page). */
const THREAD_PAGE_SIZE = 200;

/** What a thread needs from its room. @internal */
export interface ThreadHost {
  api: ChatApi;
  room: string;
  send(text: string, options: ChatSendOptions): Promise<ChatMessage>;
  /** The room's copy of a message, if loaded. */
  heldMessage(id: string): ChatMessage | undefined;
  onStop(): void;
}

export interface ChatThreadSnapshot {
  status: 'loading' | 'ready' | 'error';
  error: HubcastError | undefined;
  root: ChatMessage | undefined;
  /** The thread's messages, oldest first (the root not included). */
  messages: readonly ChatMessage[];
}

/** One thread of a room: its messages, live through the room's subscription. */
export class ChatThread implements View<ChatThreadSnapshot> {
  private messages: ChatMessage[] = [];
  private root: ChatMessage | undefined;
  private status: ChatThreadSnapshot['status'] = 'loading';
  private error: HubcastError | undefined;
  private loadSeq = 0;
  private buffer: ChatMessage[] | undefined;
  private readonly view: ViewState<ChatThreadSnapshot>;

  /** @internal */
  constructor(
    private readonly host: ThreadHost,
    readonly rootId: string,
  ) {
    this.view = new ViewState(
      () => ({
        status: this.status,
        error: this.error,
        root: this.root,
        messages: [...this.messages],
      }),
      (cause) =>
        queueMicrotask(() => {
          throw cause;
        }),
    );
  }

  subscribe(listener: () => void): () => void {
    return this.view.subscribe(listener);
  }

  getSnapshot(): ChatThreadSnapshot {
    return this.view.getSnapshot();
  }

  /** Replies in this thread. */
  send(text: string, options: ChatSendOptions = {}): Promise<ChatMessage> {
    return this.host.send(text, { ...options, threadId: this.rootId });
  }

  stop(): void {
    this.loadSeq++;
    this.host.onStop();
  }

  /** @internal Loads the thread; messages that arrive meanwhile are applied after. */
  reload(): void {
    const seq = ++this.loadSeq;
    this.buffer = [];
    this.status = 'loading';
    this.view.changed();
    const root = this.host.heldMessage(this.rootId);
    this.host.api.history(this.host.room, { threadId: this.rootId, limit: THREAD_PAGE_SIZE }).then(
      (page) => {
        if (seq !== this.loadSeq) return;
        const buffered = this.buffer ?? [];
        this.buffer = undefined;
        this.messages = [];
        if (root !== undefined && (this.root === undefined || root.version > this.root.version))
          this.root = root;
        for (const m of [...page.messages, ...buffered]) this.take(m);
        this.status = 'ready';
        this.error = undefined;
        this.view.changed();
      },
      (cause: unknown) => {
        if (seq !== this.loadSeq) return;
        this.buffer = undefined;
        this.status = 'error';
        this.error = asHubcastError(cause, 'thread load failed');
        this.view.changed();
      },
    );
  }

  /** @internal A version of some message of the room. */
  offer(message: ChatMessage): void {
    if (message.id !== this.rootId && message.thread_id !== this.rootId) return;
    if (this.buffer !== undefined) this.buffer.push(message);
    else if (this.take(message)) this.view.changed();
  }

  private take(message: ChatMessage): boolean {
    if (message.id === this.rootId) {
      if (this.root !== undefined && message.version <= this.root.version) return false;
      this.root = message;
      return true;
    }
    return upsertMessage(this.messages, message, this.rootId);
  }
}
