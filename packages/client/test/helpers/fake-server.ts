/**
 * A scripted stand-in for the server, behind the client's `WebSocket` option: the test opens
 * sockets, pushes frames and closes with any code, and reads what the client sent. For timing
 * paths (watchdog, backoff, `reconnect` delays) that a real server makes slow to reach.
 */
import type { ConnectedReply } from '@hubcast/protocol';
import type { WebSocketConstructor, WebSocketLike } from '../../src/index.js';

type Handler<E> = ((event: E) => void) | null;

export interface SentMessage {
  type: string;
  id?: number;
  [field: string]: unknown;
}

export class FakeSocket implements WebSocketLike {
  readyState = 0;
  protocol = '';
  onopen: Handler<unknown> = null;
  onmessage: Handler<{ data: unknown }> = null;
  onclose: Handler<{ code: number; reason: string }> = null;
  onerror: Handler<unknown> = null;
  readonly frames: string[] = [];
  closedByClient: { code: number | undefined; reason: string | undefined } | undefined;

  constructor(
    readonly url: string,
    readonly protocols: string | string[] | undefined,
  ) {}

  /** Every message the client sent, frames split on `\n`. */
  get sent(): SentMessage[] {
    return this.frames.flatMap((f) => f.split('\n')).map((l) => JSON.parse(l) as SentMessage);
  }

  send(data: string): void {
    this.frames.push(data);
  }

  close(code?: number, reason?: string): void {
    this.closedByClient = { code, reason };
    this.readyState = 3;
  }

  open(): void {
    this.readyState = 1;
    this.protocol = 'hubcast.v1.json';
    this.onopen?.({});
  }

  push(...messages: object[]): void {
    this.pushRaw(messages.map((m) => JSON.stringify(m)).join('\n'));
  }

  pushRaw(frame: unknown): void {
    this.onmessage?.({ data: frame });
  }

  /** Replies `connected` to the client's `connect`. */
  acceptConnect(over: Partial<ConnectedReply> = {}): void {
    const connect = this.sent.find((m) => m.type === 'connect');
    const subscriptions = Array.isArray(connect?.subscriptions)
      ? (connect.subscriptions as string[])
      : [];
    this.push({
      type: 'connected',
      id: connect?.id,
      session: 's1',
      user: 'alice',
      org: 'acme',
      expires_at: Math.floor(Date.now() / 1000) + 3600,
      ping_interval: 25,
      cursor: 'head-0',
      subscriptions,
      rejected: [],
      ...(connect?.cursor === undefined ? {} : { resumed: true }),
      ...over,
    });
  }

  serverClose(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

export interface FakeServer {
  readonly WebSocket: WebSocketConstructor;
  readonly sockets: FakeSocket[];
  current(): FakeSocket;
}

export function fakeServer(): FakeServer {
  const sockets: FakeSocket[] = [];
  class Socket extends FakeSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      sockets.push(this);
    }
  }
  return {
    WebSocket: Socket,
    sockets,
    current: () => {
      const s = sockets[sockets.length - 1];
      if (s === undefined) throw new Error('no socket yet');
      return s;
    },
  };
}

/** Lets queued microtasks (the outgoing frame flush) run. */
export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
