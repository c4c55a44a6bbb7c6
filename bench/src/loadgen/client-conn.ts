/**
 * One generator connection: a raw `net` socket, a handwritten upgrade, the frame reader and a
 * per-target adapter for what comes after the 101. It keeps its own exactly-once window
 * (`nextSeq`, `ahead`), or one per room in the `rooms` scenario, and hands stamps to the
 * worker's hooks. In `rooms` it also publishes, as a chat client does, over its WebSocket.
 */
import { connect, type Socket } from 'node:net';
import type { Adapter } from './adapters.js';
import { nowMs, scanStamps, type StampSink } from './payload.js';
import type { SeqWindow } from './seq-window.js';
import {
  FrameReader,
  OPCODE_CLOSE,
  OPCODE_PONG,
  OPCODE_TEXT,
  encodeClientFrame,
  encodeClientText,
  upgradeRequest,
  type FrameSink,
} from './ws-frames.js';

export type ConnState = 'connecting' | 'upgrading' | 'joining' | 'ready' | 'closed';

/** What the worker learns from a connection. */
export interface ConnHooks {
  ready(conn: Conn): void;
  /** The handshake, auth or join failed (the connection never became ready). */
  failed(conn: Conn, reason: string): void;
  delivered(conn: Conn, seq: number, sentAtMs: number): void;
  /** A ready connection closed; `closeCode` says how (1006 without a close frame). */
  closed(conn: Conn): void;
  /** The target answered one of this connection's publishes with an error. */
  refused?(conn: Conn, reply: string): void;
}

/** `rooms`: the rooms a connection is in, and one exactly-once window per room, same order. */
export interface RoomStreams {
  rooms: readonly number[];
  windows: SeqWindow[];
}

/**
 * `storm`: what a reconnecting client carries from one connection to the next. The hubcast
 * adapter fills it from what the server sends and puts `cursor` in the next `connect`; the
 * peers' adapters leave it alone (they have no resume).
 */
export interface ResumeState {
  /** The position of the last event processed (PROTOCOL.md §1 cursor); sent to resume. */
  cursor: string | undefined;
  /** `delay_ms` of a `reconnect` push on the current connection (§5). */
  serverDelayMs: number | undefined;
  /** `resumed` of the last `connected` reply; undefined when no cursor was sent. */
  resumed: boolean | undefined;
}

export interface ConnOptions {
  host: string;
  port: number;
  /** The source address and port (worker-protocol.ts `ConnectSpec.localAddress`). */
  localAddress?: string;
  localPort?: number;
  adapter: Adapter;
  hooks: ConnHooks;
  /** Channels (rooms) this connection subscribes to; shared arrays, not one per connection. */
  channels: readonly string[];
  /** The hubcast token, '' for the peers. */
  token: string;
  /** `rooms`: the room numbers behind `channels`; the connection then keeps a window per room. */
  rooms?: readonly number[];
  /**
   * `storm`: the reconnecting client's state. Such a connection also counts the events that
   * arrive while it joins: a resume replays missed events before its `connected` reply.
   */
  resume?: ResumeState;
}

const HEAD_END = Buffer.from('\r\n\r\n');
/**
 * One read buffer for every connection of this thread (`onread`): the kernel copies each read
 * straight into it, with no Buffer, stream push or `data` event per read. Sound because a chunk
 * is consumed before the next read (`onData` copies whatever it keeps: a partial head, a
 * partial frame, fragments).
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
const STATUS_101 = 'HTTP/1.1 101';

export class Conn implements FrameSink, StampSink, SeqWindow {
  state: ConnState = 'connecting';
  nextSeq = 1;
  ahead = 0;
  /** Left out of the accounting (M8 pauses it on purpose). */
  excluded = false;
  /** `rooms`: per-room exactly-once windows, used instead of `nextSeq` / `ahead`. */
  readonly streams: RoomStreams | undefined;
  /** Publishes this connection sent (`rooms`). */
  published = 0;
  closeCode = 0;
  /** When the chunk being read arrived: one clock read per chunk, not per message. */
  recvMs = 0;
  readonly socket: Socket;
  private head: Buffer | undefined;
  private readonly reader = new FrameReader();

  constructor(
    readonly index: number,
    readonly slow: boolean,
    private readonly options: ConnOptions,
  ) {
    const rooms = options.rooms;
    if (rooms !== undefined)
      this.streams = { rooms, windows: rooms.map(() => ({ nextSeq: 1, ahead: 0 })) };
    const socket = (this.socket = connect({
      host: options.host,
      port: options.port,
      ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
      ...(options.localPort === undefined ? {} : { localPort: options.localPort }),
      onread: {
        buffer: READ_BUFFER,
        callback: (n) => {
          this.onData(READ_BUFFER.subarray(0, n));
          return true;
        },
      },
    }));
    socket.setNoDelay(true);
    socket.on('connect', () => {
      this.state = 'upgrading';
      socket.write(upgradeRequest(options.host, options.port, options.adapter.path(this)));
    });
    socket.on('error', (err) => this.ended(err.message));
    socket.on('close', () => this.ended('connection closed'));
  }

  get channels(): readonly string[] {
    return this.options.channels;
  }

  get token(): string {
    return this.options.token;
  }

  get resume(): ResumeState | undefined {
    return this.options.resume;
  }

  sendText(text: string): void {
    if (this.state !== 'closed') this.socket.write(encodeClientText(text));
  }

  /** Publishes `dataJson` to `channel` the way the target's clients do (a masked frame). */
  publish(channel: string, dataJson: string): void {
    if (this.state !== 'ready') return;
    this.published++;
    this.options.adapter.publish(this, channel, dataJson);
  }

  /** The adapter saw an error reply to a publish. */
  refused(reply: string): void {
    this.options.hooks.refused?.(this, reply);
  }

  /** The adapter says the connection is subscribed and may receive events. */
  markReady(): void {
    if (this.state !== 'upgrading' && this.state !== 'joining') return;
    this.state = 'ready';
    this.options.hooks.ready(this);
  }

  /** The adapter moves past the upgrade to its own join step (auth, room join). */
  markJoining(): void {
    if (this.state === 'upgrading') this.state = 'joining';
  }

  fail(reason: string): void {
    if (this.state === 'closed') return;
    const wasReady = this.state === 'ready';
    this.state = 'closed';
    this.socket.destroy();
    if (wasReady) this.options.hooks.closed(this);
    else this.options.hooks.failed(this, reason);
  }

  /**
   * Drops the connection with a TCP reset, no close handshake: the bench tears down thousands
   * at once, and a reset leaves no TIME_WAIT behind to crowd the next session's ports.
   */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.socket.resetAndDestroy();
  }

  /** Hands every stamp in a text message to the hooks. */
  scan(text: string): void {
    scanStamps(text, this);
  }

  onStamp(seq: number, sentAtMs: number): void {
    if (this.state === 'ready' || (this.state === 'joining' && this.options.resume !== undefined))
      this.options.hooks.delivered(this, seq, sentAtMs);
  }

  onMessage(opcode: number, payload: Buffer): void {
    // latin1: one cheap copy, and every marker the adapters look for is ASCII.
    if (opcode === OPCODE_TEXT) this.options.adapter.text(this, payload.toString('latin1'));
  }

  onPing(payload: Buffer): void {
    if (this.state !== 'closed') this.socket.write(encodeClientFrame(OPCODE_PONG, payload));
  }

  onCloseFrame(code: number): void {
    if (this.state === 'closed') return;
    this.closeCode = code;
    const echo = Buffer.allocUnsafe(2);
    echo.writeUInt16BE(code === 1005 ? 1000 : code);
    this.socket.end(encodeClientFrame(OPCODE_CLOSE, echo));
    this.ended(`closed by the server with ${code}`);
  }

  private onData(chunk: Buffer): void {
    this.recvMs = nowMs();
    if (this.state !== 'upgrading') {
      this.reader.push(chunk, this);
      return;
    }
    const head = this.head === undefined ? chunk : Buffer.concat([this.head, chunk]);
    const end = head.indexOf(HEAD_END);
    if (end < 0) {
      this.head = Buffer.from(head); // `chunk` is the shared read buffer
      return;
    }
    this.head = undefined;
    if (head.toString('latin1', 0, STATUS_101.length) !== STATUS_101) {
      this.fail(`upgrade refused: ${head.toString('latin1', 0, Math.min(end, 80))}`);
      return;
    }
    this.options.adapter.opened(this);
    const rest = head.subarray(end + HEAD_END.length);
    if (rest.length > 0) this.reader.push(rest, this);
  }

  private ended(reason: string): void {
    if (this.state === 'closed') return;
    if (this.closeCode === 0) this.closeCode = 1006;
    this.fail(reason);
  }
}
