/**
 * A `WebSocket` option for tests: real `ws` sockets the test can cut (no close frame, like a
 * dropped network) and hold back (new sockets wait until `release()`), to make the offline
 * window of a reconnect deterministic without sleeping.
 */
import WebSocket from 'ws';
import type { WebSocketConstructor, WebSocketLike } from '../../src/index.js';

type Handler<E> = ((event: E) => void) | null;

export interface SocketControl {
  /** The class to pass as the client's `WebSocket` option. */
  readonly WebSocket: WebSocketConstructor;
  /** Every socket the client created, oldest first. */
  readonly sockets: readonly ControlledSocket[];
  /** Frames the client sent on any socket. */
  readonly sentFrames: readonly string[];
  /** Text frames the client received on any socket. */
  readonly receivedFrames: readonly string[];
  /** Resolves once `check(receivedFrames)` holds (re-checked on each frame received). */
  waitForReceived(check: (frames: readonly string[]) => boolean, timeoutMs?: number): Promise<void>;
  /** New sockets wait (stay CONNECTING) until `release()`. */
  hold(): void;
  release(): void;
  /** Cuts the newest socket without a close handshake: the client sees 1006. */
  killCurrent(): void;
}

export interface ControlledSocket extends WebSocketLike {
  kill(): void;
}

export function controlledWebSocket(): SocketControl {
  const sockets: ControlledSocket[] = [];
  const sentFrames: string[] = [];
  const receivedFrames: string[] = [];
  const frameWaiters = new Set<() => void>();
  let held = false;
  const waiting: (() => void)[] = [];

  class TestSocket implements ControlledSocket {
    onopen: Handler<unknown> = null;
    onmessage: Handler<{ data: unknown }> = null;
    onclose: Handler<{ code: number; reason: string }> = null;
    onerror: Handler<unknown> = null;
    private inner: WebSocket | undefined;
    private closedEarly = false;

    constructor(
      private readonly url: string,
      private readonly protocols?: string | string[],
    ) {
      sockets.push(this);
      if (held) waiting.push(() => this.start());
      else this.start();
    }

    get readyState(): number {
      return this.inner?.readyState ?? (this.closedEarly ? 3 : 0);
    }

    get protocol(): string {
      return this.inner?.protocol ?? '';
    }

    send(data: string): void {
      sentFrames.push(data);
      this.inner?.send(data);
    }

    close(code?: number, reason?: string): void {
      if (this.inner === undefined) this.closedEarly = true;
      else this.inner.close(code, reason);
    }

    kill(): void {
      this.inner?.terminate();
    }

    private start(): void {
      if (this.closedEarly) return;
      const ws = new WebSocket(this.url, this.protocols);
      this.inner = ws;
      ws.onopen = (ev) => this.onopen?.(ev);
      ws.onmessage = (ev) => {
        if (typeof ev.data === 'string') receivedFrames.push(ev.data);
        this.onmessage?.({ data: ev.data });
        for (const check of [...frameWaiters]) check();
      };
      ws.onclose = (ev) => this.onclose?.({ code: ev.code, reason: ev.reason });
      ws.onerror = (ev) => this.onerror?.(ev);
    }
  }

  return {
    WebSocket: TestSocket,
    sockets,
    sentFrames,
    receivedFrames,
    waitForReceived: (check, timeoutMs = 10_000) =>
      new Promise<void>((resolve, reject) => {
        const waiter = (): void => {
          if (!check(receivedFrames)) return;
          frameWaiters.delete(waiter);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          frameWaiters.delete(waiter);
          reject(new Error(`no matching frame within ${timeoutMs} ms`));
        }, timeoutMs);
        frameWaiters.add(waiter);
        waiter();
      }),
    hold: () => void (held = true),
    release: () => {
      held = false;
      for (const start of waiting.splice(0)) start();
    },
    killCurrent: () => sockets[sockets.length - 1]?.kill(),
  };
}
