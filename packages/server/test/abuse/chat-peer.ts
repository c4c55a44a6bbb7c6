/**
 * A raw chat client for the chat attack test (chat-abuse.test.ts): one `ws` socket, every frame
 * recorded, rpc calls answered by id, pings answered while it reads, and a pause that stops
 * reading the socket altogether (a slow consumer), as a stuck device would.
 */
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { signTestToken, type TokenClaims } from '../helpers/test-node.js';

/** What an rpc or subscribe answered: the result, or the error's code. */
export type Answer = { ok: true; reply: Frame } | { ok: false; code: string; message: string };

export interface Frame {
  type: string;
  id?: number;
  channel?: string;
  code?: string;
  message?: string;
  result?: unknown;
  data?: { type?: string; message?: { text?: string } };
}

let nextId = 1;

export class ChatPeer {
  /** Every event pushed to it, by channel and data type. */
  readonly events: { channel: string; type: string | undefined; text: string | undefined }[] = [];
  closeCode: number | undefined;
  readonly closed: Promise<number>;
  private readonly pending = new Map<number, (frame: Frame) => void>();
  private eventWaiters: { test: (f: Frame) => boolean; resolve: () => void }[] = [];

  private constructor(private readonly ws: WebSocket) {
    this.closed = new Promise((resolve) =>
      ws.on('close', (code) => {
        this.closeCode = code;
        for (const answer of this.pending.values()) answer({ type: 'error', code: 'closed' });
        this.pending.clear();
        resolve(code);
      }),
    );
    ws.on('error', () => undefined);
    ws.on('message', (d: Buffer) => {
      for (const line of d.toString().split('\n')) this.onFrame(JSON.parse(line) as Frame);
    });
  }

  /** Connects as `claims` with `subscriptions`; resolves on `connected`. */
  static async open(
    wsUrl: string,
    claims: TokenClaims,
    subscriptions: string[] = [],
  ): Promise<ChatPeer> {
    const ws = new WebSocket(wsUrl);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const peer = new ChatPeer(ws);
    const connected = new Promise<void>((resolve) => peer.pending.set(0, () => resolve()));
    ws.send(JSON.stringify({ type: 'connect', token: await signTestToken(claims), subscriptions }));
    await Promise.race([connected, peer.closed]);
    return peer;
  }

  private onFrame(frame: Frame): void {
    if (frame.type === 'ping') this.send({ type: 'pong' });
    if (frame.type === 'connected') this.pending.get(0)?.(frame);
    if (frame.type === 'event' && frame.channel !== undefined) {
      this.events.push({
        channel: frame.channel,
        type: frame.data?.type,
        text: frame.data?.message?.text,
      });
      this.eventWaiters = this.eventWaiters.filter((w) => {
        if (!w.test(frame)) return true;
        w.resolve();
        return false;
      });
    }
    if (frame.id !== undefined && frame.type !== 'event') {
      this.pending.get(frame.id)?.(frame);
      this.pending.delete(frame.id);
    }
  }

  /** Sends a command with a fresh id; resolves with its answer (an error code when refused). */
  request(command: Record<string, unknown>): Promise<Answer> {
    const id = nextId++;
    const answer = new Promise<Answer>((resolve) =>
      this.pending.set(id, (reply) =>
        resolve(
          reply.type === 'error'
            ? { ok: false, code: reply.code ?? '', message: reply.message ?? '' }
            : { ok: true, reply },
        ),
      ),
    );
    if (!this.send({ ...command, id }))
      return Promise.resolve({ ok: false, code: 'closed', message: '' });
    return answer;
  }

  rpc(method: string, params: unknown): Promise<Answer> {
    return this.request({ type: 'rpc', method, params });
  }

  /** Sends raw text as one frame (oversized or malformed input). */
  sendRaw(text: string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
  }

  /** Resolves once a `chat.message` event with `text` has arrived on `channel`. */
  untilMessage(channel: string, text: string): Promise<void> {
    const seen = (f: Frame) => f.channel === channel && f.data?.message?.text === text;
    if (this.events.some((e) => e.channel === channel && e.text === text)) return Promise.resolve();
    return new Promise((resolve) => this.eventWaiters.push({ test: seen, resolve }));
  }

  /** Stops reading the socket: the server's writes back up into its send queue. */
  pause(): void {
    (this.ws as unknown as { _socket: Socket })._socket.pause();
  }

  resume(): void {
    (this.ws as unknown as { _socket: Socket })._socket.resume();
  }

  close(): void {
    this.ws.terminate();
  }

  private send(command: Record<string, unknown>): boolean {
    if (this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(command));
    return true;
  }
}
