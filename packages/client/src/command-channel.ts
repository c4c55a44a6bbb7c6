/**
 * Sending commands and matching their replies. Commands flow only while the channel is open,
 * from `connected` until the socket goes (docs/protocol.md §3: anything before a successful
 * `connect` closes the connection with 4500).
 */
import {
  badRequest,
  tooLarge,
  unavailable,
  type ClientMessage,
  type HubcastError,
  type ServerMessage,
} from '@hubcast/protocol';
import type { Connection } from './connection.js';
import { utf8ByteLength } from './frame-batcher.js';
import {
  PendingCommands,
  type CommandOf,
  type CommandType,
  type PendingHandlers,
  type ReplyFor,
} from './pending-commands.js';

export type RequestHooks<T extends CommandType> = Pick<PendingHandlers<T>, 'onLost' | 'onTimeout'>;

export class CommandChannel {
  private readonly pending = new PendingCommands();
  private live: Connection | undefined;

  constructor(
    private readonly commandTimeoutMs: number,
    private readonly maxMessageBytes: number,
  ) {}

  get isOpen(): boolean {
    return this.live !== undefined;
  }

  /** `connected` arrived on `conn`: commands may flow. */
  open(conn: Connection): void {
    this.live = conn;
  }

  /** The socket is gone: waiting commands run their `onLost` or are rejected with `error`. */
  close(error: HubcastError): void {
    this.live = undefined;
    this.pending.connectionLost(error);
  }

  /** Sends a command on the open connection and resolves with its reply. */
  request<T extends CommandType>(
    command: CommandOf<T>,
    hooks: RequestHooks<T> = {},
  ): Promise<ReplyFor[T]> {
    const conn = this.live;
    if (conn === undefined) return Promise.reject(unavailable('not connected'));
    return new Promise((resolve, reject) => {
      this.send(conn, command, { resolve, reject, ...hooks }, this.commandTimeoutMs);
    });
  }

  /** Sends a command on `conn` even before it is open (the `connect` itself). */
  send<T extends CommandType>(
    conn: Connection,
    command: CommandOf<T>,
    handlers: PendingHandlers<T>,
    timeoutMs: number,
  ): void {
    const id = this.pending.register(command.type, handlers, timeoutMs);
    const error = this.write(conn, { ...command, id });
    if (error !== undefined) this.pending.fail(id, error);
  }

  /** Hands a reply to the command waiting for its id. */
  settle(id: number, reply: ServerMessage): void {
    this.pending.settle(id, reply);
  }

  /** Encodes and queues one message; refuses what the server would close the socket for. */
  write(conn: Connection, message: ClientMessage): HubcastError | undefined {
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch (cause) {
      return badRequest(`'${message.type}' cannot be encoded as JSON`, { cause });
    }
    const bytes = utf8ByteLength(text);
    if (bytes > this.maxMessageBytes)
      return tooLarge(
        `'${message.type}' is ${bytes} bytes, over maxMessageBytes (${this.maxMessageBytes})`,
      );
    conn.send({ text, bytes });
    return undefined;
  }
}
