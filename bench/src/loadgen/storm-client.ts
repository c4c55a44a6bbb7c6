/**
 * One `storm` client: a user who stays subscribed across a server restart, as an app on the
 * hubcast SDK does. It opens one raw-socket connection (client-conn.ts) at a time, and when a
 * live one closes it tries again after the server's `reconnect` delay or a jittered backoff
 * (reconnect-delay.ts), until the fleet stops it. On hubcast every `connect` carries the cursor
 * of the last event processed; the peers' clients just join again. It keeps one bit per event
 * it received across all its connections, so losses and repeats over the restart are exact.
 */
import type { Adapter } from './adapters.js';
import { Conn, type ConnHooks, type ResumeState } from './client-conn.js';
import { nowMs } from './payload.js';
import { reconnectDelayMs, type Backoff } from './reconnect-delay.js';
import { SeqBitset } from './seq-bitset.js';

export interface StormClientOptions {
  host: string;
  port: number;
  adapter: Adapter;
  /** Shared arrays, not one per client. */
  channels: readonly string[];
  token: string;
  backoff: Backoff;
  handshakeTimeoutMs: number;
  /** The jitter's source (tests pin it). */
  random?: () => number;
}

/** What the fleet learns from its clients. */
export interface StormEvents {
  /** A connection went live: the first one, or a reconnect (`resets` counts the refused resumes). */
  live(client: StormClient): void;
  /** A live connection closed with `closeCode` (1006 without a close frame). */
  dropped(client: StormClient, closeCode: number): void;
  /** An attempt failed before it went live; a client that was never live does not retry. */
  attemptFailed(client: StormClient, reason: string): void;
  /** An event this client had not received before. */
  delivered(client: StormClient, seq: number): void;
}

export class StormClient {
  readonly resume: ResumeState = {
    cursor: undefined,
    serverDelayMs: undefined,
    resumed: undefined,
  };
  readonly seen = new SeqBitset();
  live = false;
  /** When it last went live, and when it first dropped (`nowMs`; 0: not yet). */
  liveAtMs = 0;
  firstDropAtMs = 0;
  drops = 0;
  /** Attempts that failed before going live, in all. */
  failedAttempts = 0;
  /** Reconnects that sent a cursor and were not resumed (hubcast `resumed: false`). */
  resets = 0;
  /** Set by the fleet while it waits for a range of events: how many of them it lacks. */
  lacking = 0;
  /** Failed attempts since it was last live: the backoff's exponent. */
  private attempt = 0;
  private everLive = false;
  private sentCursor = false;
  private stopped = false;
  private conn: Conn | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly hooks: ConnHooks;

  constructor(
    readonly index: number,
    private readonly options: StormClientOptions,
    private readonly events: StormEvents,
  ) {
    const random = options.random ?? Math.random;
    // One hooks object per client, shared by its successive connections; a stale
    // connection's news is ignored.
    this.hooks = {
      ready: (conn) => {
        if (conn !== this.conn) return;
        clearTimeout(this.timer);
        this.live = this.everLive = true;
        this.liveAtMs = nowMs();
        this.attempt = 0;
        if (this.sentCursor && this.resume.resumed !== true) this.resets++;
        this.events.live(this);
      },
      failed: (conn, reason) => {
        if (conn !== this.conn) return;
        clearTimeout(this.timer);
        this.failedAttempts++;
        this.events.attemptFailed(this, reason);
        if (this.everLive)
          this.retryAfter(reconnectDelayMs(++this.attempt, undefined, options.backoff, random));
      },
      delivered: (_conn, seq) => {
        if (this.seen.record(seq)) this.events.delivered(this, seq);
      },
      closed: (conn) => {
        if (conn !== this.conn) return;
        this.live = false;
        this.drops++;
        if (this.firstDropAtMs === 0) this.firstDropAtMs = nowMs();
        this.events.dropped(this, conn.closeCode);
        this.retryAfter(reconnectDelayMs(0, this.resume.serverDelayMs, options.backoff, random));
      },
    };
  }

  /** Opens a connection (the first, or the next attempt). */
  connect(): void {
    if (this.stopped) return;
    const resume = this.resume;
    this.sentCursor = resume.cursor !== undefined;
    resume.serverDelayMs = undefined;
    resume.resumed = undefined;
    const o = this.options;
    const conn = new Conn(this.index, false, {
      host: o.host,
      port: o.port,
      adapter: o.adapter,
      channels: o.channels,
      token: o.token,
      resume,
      hooks: this.hooks,
    });
    this.conn = conn;
    this.timer = setTimeout(() => conn.fail('handshake timed out'), o.handshakeTimeoutMs);
  }

  /** Stops for good: no more attempts, the connection reset. */
  stop(): void {
    this.stopped = true;
    this.live = false;
    clearTimeout(this.timer);
    this.conn?.close();
  }

  private retryAfter(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delayMs);
  }
}
