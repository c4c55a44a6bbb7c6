/**
 * The little of a WebSocket the client uses, so the browser's `WebSocket`, the `ws` package's
 * class in Node, or a test double all fit. Only text frames are used (`hubcast.v1.json`).
 */

/** Method-style declaration makes the parameter bivariant, so `(ev: MessageEvent) => …` fits. */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

export interface WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** The subprotocol the server picked. */
  readonly protocol: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
}

export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
) => WebSocketLike;

export const WS_OPEN = 1;

/** `globalThis.WebSocket` where the platform has one (browsers, Node 22+). */
export function platformWebSocket(): WebSocketConstructor | undefined {
  const candidate: unknown = (globalThis as { WebSocket?: unknown }).WebSocket;
  return typeof candidate === 'function' ? (candidate as WebSocketConstructor) : undefined;
}
