/**
 * One socket's lifetime: open, batch out, split in, watch for silence, close. It knows frames,
 * not the protocol: the client decides what the messages mean.
 */
import { jsonCodec } from '@hubcast/protocol';
import { FrameBatcher, type EncodedLine } from './frame-batcher.js';
import { WS_OPEN, type WebSocketConstructor, type WebSocketLike } from './transport.js';

/** Close code reported when the client gives up on a socket itself (no close frame came). */
export const ABNORMAL_CLOSE = 1006;

export interface ConnectionOptions {
  url: string;
  WebSocket: WebSocketConstructor;
  protocols: string[];
  maxFrameBytes: number;
  /** Close as dead after this long without any frame (also bounds the handshake). */
  silenceTimeoutMs: number;
}

export interface ConnectionHandlers {
  onOpen(): void;
  /** One parsed message of a frame; frames are split on `\n` first. */
  onMessage(message: unknown): void;
  /** A frame or line that could not be parsed. */
  onBadFrame(reason: string): void;
  /** The socket is gone: closed by the peer, failed, or given up on by `abort`. */
  onClose(code: number, reason: string): void;
}

const noop = (): void => {};

export class Connection {
  private readonly socket: WebSocketLike | undefined;
  private readonly batcher: FrameBatcher;
  private silenceTimeoutMs: number;
  private watchdog: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    options: ConnectionOptions,
    private readonly handlers: ConnectionHandlers,
  ) {
    this.silenceTimeoutMs = options.silenceTimeoutMs;
    this.batcher = new FrameBatcher(options.maxFrameBytes, (frame) => this.sendFrame(frame));
    let socket: WebSocketLike;
    try {
      socket = new options.WebSocket(options.url, options.protocols);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      queueMicrotask(() => this.abort(ABNORMAL_CLOSE, `cannot open the socket: ${why}`));
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (!this.closed) this.handlers.onOpen();
    };
    socket.onmessage = (ev) => this.receive(ev.data);
    socket.onclose = (ev) => this.finish(ev.code, ev.reason);
    // An error is always followed by a close event, which carries the code.
    socket.onerror = noop;
    this.armWatchdog();
  }

  /** Queues one encoded message; lines of one tick leave as one frame. */
  send(line: EncodedLine): void {
    if (!this.closed) this.batcher.push(line);
  }

  /** Sets the silence limit (the heartbeat watchdog once `ping_interval` is known). */
  setSilenceTimeout(ms: number): void {
    this.silenceTimeoutMs = ms;
    this.armWatchdog();
  }

  /** Closes without reporting back (the client already moved on). */
  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.release();
    const socket = this.socket;
    if (socket === undefined) return;
    socket.onopen = noop;
    socket.onmessage = noop;
    socket.onclose = noop;
    // Kept as a no-op: `ws` emits 'error' when closed while connecting, and throws without one.
    socket.onerror = noop;
    try {
      socket.close(1000, reason);
    } catch {
      // Already closing or closed.
    }
  }

  /** Gives up on the socket and reports `code` as if the server had closed with it. */
  abort(code: number, reason: string): void {
    if (this.closed) return;
    this.close(reason);
    this.handlers.onClose(code, reason);
  }

  private receive(data: unknown): void {
    if (this.closed) return;
    this.armWatchdog();
    if (typeof data !== 'string') {
      this.handlers.onBadFrame('binary frame on the JSON codec');
      return;
    }
    for (const item of jsonCodec.decode(data)) {
      if (this.closed) return;
      if (item.ok) this.handlers.onMessage(item.value);
      else this.handlers.onBadFrame(item.reason);
    }
  }

  private finish(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.release();
    this.handlers.onClose(code, reason);
  }

  private sendFrame(frame: string): void {
    if (this.closed || this.socket === undefined || this.socket.readyState !== WS_OPEN) return;
    try {
      this.socket.send(frame);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      this.abort(ABNORMAL_CLOSE, `send failed: ${why}`);
    }
  }

  private armWatchdog(): void {
    if (this.watchdog !== undefined) clearTimeout(this.watchdog);
    if (this.closed) return;
    const ms = this.silenceTimeoutMs;
    this.watchdog = setTimeout(
      () => this.abort(ABNORMAL_CLOSE, `nothing heard from the server for ${ms} ms`),
      ms,
    );
  }

  private release(): void {
    if (this.watchdog !== undefined) clearTimeout(this.watchdog);
    this.watchdog = undefined;
    this.batcher.discard();
  }
}
