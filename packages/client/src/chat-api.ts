/**
 * Typed `chat.*` rpc calls (docs/chat.md §3). The server is trusted to answer the shapes of
 * `@hubcast/protocol`'s chat.ts (as the client trusts its other replies); only the envelope
 * is checked, so a newer server's extra fields pass through.
 */
import {
  badRequest,
  isObject,
  type ChatMember,
  type ChatMessage,
  type JsonValue,
} from '@hubcast/protocol';

/** What the chat calls need from the client (the client itself). */
export interface ChatRpc {
  rpc(method: string, params?: JsonValue): Promise<JsonValue>;
}

export interface ChatSendOptions {
  data?: JsonValue;
  /** Your id for the message: a resend with the same id is answered `duplicate`. */
  clientId?: string;
  replyTo?: string;
  threadId?: string;
  mentions?: string[];
}

export interface ChatHistoryOptions {
  before?: string;
  after?: string;
  limit?: number;
  threadId?: string;
}

export interface ChatPage {
  messages: ChatMessage[];
  more: boolean;
}

/** The `chat.*` methods, typed. */
export class ChatApi {
  constructor(private readonly host: ChatRpc) {}

  async send(
    room: string,
    text: string,
    options: ChatSendOptions = {},
  ): Promise<{ message: ChatMessage; duplicate: boolean }> {
    const params = withDefined({
      room,
      text,
      data: options.data,
      client_id: options.clientId,
      reply_to: options.replyTo,
      thread_id: options.threadId,
      mentions: options.mentions,
    });
    const r = await this.call('chat.send', params, 'message');
    return { message: r.message as unknown as ChatMessage, duplicate: r.duplicate === true };
  }

  async edit(room: string, id: string, text: string, data?: JsonValue): Promise<ChatMessage> {
    return this.message('chat.edit', withDefined({ room, id, text, data }));
  }

  async delete(room: string, id: string): Promise<ChatMessage> {
    return this.message('chat.delete', { room, id });
  }

  /** Toggles the caller's reaction; `added` says which way. */
  async react(
    room: string,
    id: string,
    emoji: string,
  ): Promise<{ message: ChatMessage; added: boolean }> {
    const r = await this.call('chat.react', { room, id, emoji }, 'message');
    return { message: r.message as unknown as ChatMessage, added: r.added === true };
  }

  async pin(room: string, id: string): Promise<ChatMessage> {
    return this.message('chat.pin', { room, id });
  }

  async unpin(room: string, id: string): Promise<ChatMessage> {
    return this.message('chat.unpin', { room, id });
  }

  /** Pinned messages, most recently pinned first. */
  async pinned(room: string): Promise<ChatMessage[]> {
    const r = await this.call('chat.pinned', { room }, 'messages');
    return r.messages as unknown as ChatMessage[];
  }

  /** Messages oldest first (docs/chat.md §3 `chat.history`). */
  async history(room: string, options: ChatHistoryOptions = {}): Promise<ChatPage> {
    const params = withDefined({
      room,
      before: options.before,
      after: options.after,
      limit: options.limit,
      thread_id: options.threadId,
    });
    const r = await this.call('chat.history', params, 'messages');
    return { messages: r.messages as unknown as ChatMessage[], more: r.more === true };
  }

  async members(room: string): Promise<ChatMember[]> {
    const r = await this.call('chat.members', { room }, 'members');
    return r.members as unknown as ChatMember[];
  }

  async markRead(room: string, id: string): Promise<{ lastRead: string; unread: number }> {
    const r = await this.call('chat.markRead', { room, id }, 'last_read');
    return { lastRead: r.last_read as string, unread: r.unread as number };
  }

  /** Tells the room's members the caller is typing (ephemeral; rate-limited by the server). */
  async typing(room: string): Promise<void> {
    await this.host.rpc('chat.typing', { room });
  }

  private async message(method: string, params: { [k: string]: JsonValue }): Promise<ChatMessage> {
    const r = await this.call(method, params, 'message');
    return r.message as unknown as ChatMessage;
  }

  /** Calls `method` and checks that the result is an object carrying `field`. */
  private async call(
    method: string,
    params: { [k: string]: JsonValue },
    field: string,
  ): Promise<{ [k: string]: JsonValue | undefined }> {
    const result = await this.host.rpc(method, params);
    if (!isObject(result) || !(field in result))
      throw badRequest(`${method} answered without '${field}'`);
    return result;
  }
}

/** The fields whose value is not `undefined` (absent params stay absent on the wire). */
function withDefined(fields: { [k: string]: JsonValue | undefined }): { [k: string]: JsonValue } {
  const out: { [k: string]: JsonValue } = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return out;
}
