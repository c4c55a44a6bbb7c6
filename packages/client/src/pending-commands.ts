/** Commands awaiting their reply, matched by `id` (docs/protocol.md §3). */
import {
  ERROR_CODES,
  HubcastError,
  type ClientCommand,
  type ConnectedReply,
  type ErrorCode,
  type ErrorReply,
  type HistoryReply,
  type PongReply,
  type PresenceReply,
  type PublishedReply,
  type RefreshedReply,
  type ResultReply,
  type ServerMessage,
  type SubscribedReply,
  type UnsubscribedMessage,
} from '@hubcast/protocol';

/** The success reply of each command (docs/protocol.md §4). */
export interface ReplyFor {
  connect: ConnectedReply;
  subscribe: SubscribedReply;
  unsubscribe: UnsubscribedMessage;
  publish: PublishedReply;
  refresh: RefreshedReply;
  presence: PresenceReply;
  history: HistoryReply;
  rpc: ResultReply;
  ping: PongReply;
}
export type CommandType = keyof ReplyFor;
export type CommandOf<T extends CommandType> = Extract<ClientCommand, { type: T }>;

const REPLY_TYPE: { readonly [T in CommandType]: ReplyFor[T]['type'] } = {
  connect: 'connected',
  subscribe: 'subscribed',
  unsubscribe: 'unsubscribed',
  publish: 'published',
  refresh: 'refreshed',
  presence: 'presence',
  history: 'history',
  rpc: 'result',
  ping: 'pong',
};

export interface PendingHandlers<T extends CommandType> {
  resolve(reply: ReplyFor[T]): void;
  reject(error: HubcastError): void;
  /** The connection dropped before the reply; without it, `reject` gets `unavailable`. */
  onLost?: () => void;
  /** No reply in time; without it, `reject` gets `unavailable`. */
  onTimeout?: () => void;
}

interface Entry {
  type: CommandType;
  settle(reply: ServerMessage): void;
  reject(error: HubcastError): void;
  onLost: (() => void) | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Turns an `error` reply (or push) into a HubcastError with its extra fields as details. */
export function errorFromReply(reply: ErrorReply): HubcastError {
  const { type: _type, id: _id, code, message, ...details } = reply;
  const known: ErrorCode = (ERROR_CODES as readonly string[]).includes(code) ? code : 'internal';
  const text = typeof message === 'string' ? message : `server error ${String(code)}`;
  return new HubcastError(known, text, Object.keys(details).length > 0 ? { details } : {});
}

export class PendingCommands {
  private nextId = 1;
  private readonly entries = new Map<number, Entry>();

  /** Registers a command about to be sent; returns the `id` to put on it. */
  register<T extends CommandType>(
    type: T,
    handlers: PendingHandlers<T>,
    timeoutMs: number,
  ): number {
    const id = this.nextId++;
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            this.entries.delete(id);
            if (handlers.onTimeout !== undefined) handlers.onTimeout();
            else
              handlers.reject(
                new HubcastError('unavailable', `'${type}' got no reply within ${timeoutMs} ms`, {
                  details: { timeout: true },
                }),
              );
          }, timeoutMs)
        : undefined;
    this.entries.set(id, {
      type,
      timer,
      onLost: handlers.onLost,
      reject: (error) => handlers.reject(error),
      settle: (reply) => {
        if (reply.type === 'error') handlers.reject(errorFromReply(reply));
        else if (reply.type === REPLY_TYPE[type]) handlers.resolve(reply as ReplyFor[T]);
        else
          handlers.reject(
            new HubcastError('internal', `'${type}' got an unexpected '${reply.type}' reply`),
          );
      },
    });
    return id;
  }

  /** Settles the command a reply answers; `false` when no command waits for that id. */
  settle(id: number, reply: ServerMessage): boolean {
    const entry = this.entries.get(id);
    if (entry === undefined) return false;
    this.entries.delete(id);
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    entry.settle(reply);
    return true;
  }

  /** Forgets one command (sending it failed) and rejects it. */
  fail(id: number, error: HubcastError): void {
    const entry = this.entries.get(id);
    if (entry === undefined) return;
    this.entries.delete(id);
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    entry.reject(error);
  }

  /**
   * The connection dropped: every waiting command runs its `onLost`, or is rejected with
   * `error`. `onLost` runs newest first, so handlers that put commands back at the head of a
   * queue restore their original order.
   */
  connectionLost(error: HubcastError): void {
    const entries = [...this.entries.values()].reverse();
    this.entries.clear();
    for (const entry of entries) {
      if (entry.timer !== undefined) clearTimeout(entry.timer);
      if (entry.onLost !== undefined) entry.onLost();
      else entry.reject(error);
    }
  }
}
