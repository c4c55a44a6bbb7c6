/**
 * The two kinds of client of the `polling` scenario (issue 13), each keeping when it first saw
 * each change of the inventory (`seen[version - 1]`, on the clock every generator thread
 * shares; 0 = not yet):
 *
 * - `Poller`: a browser polling the REST server, `GET /items?since=<version>` every interval
 *   over one keep-alive connection (raw `net`, the request written by hand); a response's
 *   `version` is the newest change it holds, so every change up to it is seen then.
 * - `Subscriber`: the same browser on hubcast, subscribed to the inventory channel; each event's
 *   data is `{"change":<version>,"rows":[…]}`, and a change seen twice is a duplicate.
 */
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { nowMs } from './payload.js';

/** What both kinds of client keep, read by the fleet when the window closes. */
export interface ChangeBook {
  /** First time each change (version 1..) was seen, `nowMs`; 0 = never. */
  readonly seen: Float64Array;
  duplicated: number;
}

/** Marks versions (from, to] seen at `at`, those not seen before; returns how many were new. */
export function markSeen(book: ChangeBook, from: number, to: number, at: number): number {
  let fresh = 0;
  const last = Math.min(to, book.seen.length);
  for (let v = Math.max(1, from + 1); v <= last; v++) {
    if (book.seen[v - 1] === 0) {
      book.seen[v - 1] = at;
      fresh++;
    }
  }
  return fresh;
}

const HEAD_END = '\r\n\r\n';
const LENGTH = 'content-length:';
const VERSION_KEY = '{"version":';

/** Reads a non-negative integer at `at` in `text` (digits only); NaN when there is none. */
export function readInt(text: string, at: number): number {
  let n = 0;
  let i = at;
  for (let c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i))
    n = n * 10 + c - 48;
  return i === at ? Number.NaN : n;
}

export class Poller implements ChangeBook {
  readonly seen: Float64Array;
  duplicated = 0;
  requests = 0;
  errors = 0;
  /** Answers read, their summed round trips (ms), and polls that came due while one was out. */
  responses = 0;
  roundTripMsSum = 0;
  late = 0;
  private sentAtMs = 0;
  private since = 0;
  private socket: Socket | undefined;
  private buffer = '';
  private inFlight = false;
  /** A poll came due while the previous one was out. */
  private due = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  lastError: string | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
    changes: number,
  ) {
    this.seen = new Float64Array(changes);
  }

  /** Opens the keep-alive connection; resolves once it is up. */
  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.host, port: this.port, noDelay: true });
      socket.setEncoding('latin1');
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve();
      });
      socket.once('error', reject);
      socket.on('data', (chunk: string) => this.onData(chunk));
      socket.on('error', (err) => (this.lastError = err.message));
      socket.on('close', () => {
        if (this.socket === socket) this.socket = undefined;
        // A poll cut short is an error; the next one reconnects.
        if (this.inFlight) {
          this.inFlight = false;
          this.errors++;
        }
      });
      this.socket = socket;
    });
  }

  /** Polls at `firstAtMs` (`nowMs` clock), then every `intervalMs` after it, until `stop`. */
  start(firstAtMs: number, intervalMs: number): void {
    let due = firstAtMs;
    const tick = (): void => {
      if (this.stopped) return;
      this.poll();
      due += intervalMs;
      // A poll that took longer than the interval is followed at once, as a browser's timer is.
      this.timer = setTimeout(tick, Math.max(0, due - nowMs()));
    };
    this.timer = setTimeout(tick, Math.max(0, due - nowMs()));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.destroy();
    this.socket = undefined;
  }

  private poll(): void {
    // Never two polls at once on the connection: a poll due while the previous one is still
    // out goes as soon as that answer is in (late, not skipped, so the clients still ask
    // every interval: a slow server gets the same requests, later).
    if (this.inFlight) {
      if (!this.due) this.late++;
      this.due = true;
      return;
    }
    this.due = false;
    if (this.socket === undefined || this.socket.destroyed) {
      this.open().catch((err: Error) => {
        this.errors++;
        this.lastError = err.message;
      });
    }
    this.inFlight = true;
    this.requests++;
    this.sentAtMs = nowMs();
    this.socket?.write(`GET /items?since=${this.since} HTTP/1.1\r\nHost: rest\r\n\r\n`);
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const headEnd = this.buffer.indexOf(HEAD_END);
      if (headEnd < 0) return;
      const lengthAt = this.buffer.indexOf(LENGTH);
      if (lengthAt < 0 || lengthAt > headEnd) {
        this.fail('response without content-length');
        return;
      }
      const length = readInt(this.buffer, this.buffer.indexOf(' ', lengthAt) + 1);
      const bodyAt = headEnd + HEAD_END.length;
      // Latin-1 decoding keeps one char per byte, so the body length is in chars too.
      if (this.buffer.length < bodyAt + length) return;
      const ok = this.buffer.startsWith('HTTP/1.1 200');
      const body = this.buffer.slice(bodyAt, bodyAt + length);
      this.buffer = this.buffer.slice(bodyAt + length);
      this.inFlight = false;
      const at = nowMs();
      this.responses++;
      this.roundTripMsSum += at - this.sentAtMs;
      if (!ok || !body.startsWith(VERSION_KEY)) {
        this.errors++;
        this.lastError = body.slice(0, 200);
        if (this.due && !this.stopped) this.poll();
        continue;
      }
      const version = readInt(body, VERSION_KEY.length);
      if (version > this.since) {
        markSeen(this, this.since, version, at);
        this.since = version;
      }
      if (this.due && !this.stopped) this.poll();
    }
  }

  private fail(why: string): void {
    this.errors++;
    this.lastError = why;
    this.buffer = '';
    this.inFlight = false;
    this.socket?.destroy();
  }
}

const CONNECTED = '"type":"connected"';
const ERROR = '"type":"error"';
const PING_TAIL = 'ping"}';
const PONG = '{"type":"pong"}';
const CHANGE_KEY = '{"change":';

export class Subscriber implements ChangeBook {
  readonly seen: Float64Array;
  duplicated = 0;
  closed = 0;
  private ws: WebSocket | undefined;

  constructor(changes: number) {
    this.seen = new Float64Array(changes);
  }

  /** Connects with `token`, subscribed to `channel`; resolves once hubcast says `connected`. */
  open(url: string, token: string, channel: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      this.ws = ws;
      let ready = false;
      ws.once('open', () =>
        ws.send(JSON.stringify({ type: 'connect', token, subscriptions: [channel] })),
      );
      ws.on('message', (data: Buffer) => {
        const text = data.toString('latin1');
        if (!ready) {
          if (text.includes(CONNECTED)) {
            ready = true;
            resolve();
          } else if (text.includes(ERROR)) reject(new Error(`refused: ${text.slice(0, 200)}`));
        }
        if (text.includes(PING_TAIL)) ws.send(PONG);
        this.scan(text, nowMs());
      });
      ws.once('error', reject);
      ws.once('close', () => {
        this.closed++;
        if (!ready) reject(new Error('closed before connected'));
      });
    });
  }

  close(): void {
    this.ws?.terminate();
  }

  /** Every change in a frame (hubcast batches messages with `\n`). */
  private scan(text: string, at: number): void {
    for (let i = text.indexOf(CHANGE_KEY); i >= 0; i = text.indexOf(CHANGE_KEY, i + 1)) {
      const version = readInt(text, i + CHANGE_KEY.length);
      if (!(version >= 1 && version <= this.seen.length)) continue;
      if (this.seen[version - 1] === 0) this.seen[version - 1] = at;
      else this.duplicated++;
    }
  }
}
