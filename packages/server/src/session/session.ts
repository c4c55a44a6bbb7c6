/**
 * One WebSocket connection: its state machine, send queue, fan-out delivery, heartbeat fields
 * and subscriptions. Frames in and the command chain are in inbound.ts, the protocol's
 * commands in commands.ts; this file moves frames out.
 */
import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import { CLOSE_CODES, matchPattern, type JsonValue, type ServerMessage } from '@hubcast/protocol';
import { canReceive } from '../auth/grants.js';
import type { LogEvent } from '../log/log.js';
import { whenBacklogAtMost } from './socket-backlog.js';
import { PING_MESSAGE } from './session-ticker.js';
import { BatchFrameCache, FrameCache, frameLines } from './ws-frame.js';
import { canTransition, type SessionState, type StateChange } from './session-state.js';
import type { NodeContext } from './context.js';
import { receiveFrame } from './inbound.js';

/** Consecutive events of one append on one channel, each with its encoded `event` push. */
export interface EventRun {
  readonly events: readonly LogEvent[];
  readonly frames: readonly Buffer[];
  /** The whole run as one WebSocket frame, built by its first direct recipient. */
  framed?: Buffer;
}

export interface Subscription {
  readonly session: Session;
  readonly pattern: string;
  /**
   * The chat room the pattern names (`chat.<room>` and below, docs/chat.md), whose membership
   * was checked before the subscription went live; undefined for any other pattern. Only a
   * subscription with a room receives that room's events (auth/grants.ts `canReceive`).
   */
  readonly room: string | undefined;
  presence: boolean;
  /** Live events with seq at or below this were before the subscription went live. */
  fromSeq: number;
}

export class Session {
  readonly id: string;
  state: SessionState = 'awaiting_auth';
  user = '';
  org = '';
  subscribeGrants: readonly string[] = [];
  publishGrants: readonly string[] = [];
  info: JsonValue | undefined;
  /** When `info` was set: connect, or the last `presence.setInfo` (services/presence-info.ts). */
  infoAtMs = 0;
  /** `info` came from `presence.setInfo`, so a `refresh` keeps it. */
  infoSetByClient = false;
  device: string | undefined;
  expiresAt = 0;
  readonly subscriptions = new Map<string, Subscription>();
  /** Highest seq sent live; guarantees at-most-once per connection. */
  deliveredSeq = 0;
  /**
   * Scratch of the fan-out of a run (`FanOut.run` in fanout/fan-out.ts, its only user): the run
   * it was last matched by, and the lowest `fromSeq` of its subscriptions that matched.
   */
  runTag = 0;
  runFromSeq = 0;
  /** Ping bookkeeping for the node's single heartbeat ticker. */
  lastPingMs: number;
  awaitingPongSinceMs = 0;

  // The send queue: the first message in a slot, the rest in an array made only when a flush
  // carries two or more. Idle connections hold no array; one message per flush allocates none.
  private queueFirst: Buffer | undefined;
  private queueMore: Buffer[] | undefined;
  private queueCount = 0;
  private queueBytes = 0;
  private socketBacklogBytes = 0;
  private flushScheduled = false;
  /** Coalesced channel -> its ephemeral event's index in the send queue, until the flush. */
  private coalesced: Map<string, number> | undefined;
  private replayDepth = 0;
  private replayBuffer: { event: LogEvent; frame: Buffer }[] | undefined;
  private replayBufferBytes = 0;
  /** Cuts a closed slow consumer's socket if it does not read its close frame in time. */
  private killTimer: NodeJS.Timeout | undefined;
  // The inbound side's state (inbound.ts), kept on the session: no object per socket.
  /** @internal Bytes of frames that arrived while commands were pending, not run yet. */
  inboundBytes = 0;
  /** @internal */
  inboundPaused = false;
  /** @internal Commands run in order on this chain; the shared RESOLVED when idle. */
  chain: Promise<void> = RESOLVED;
  /** @internal */
  pendingTasks = 0;
  /** @internal */
  badInRow = 0;
  /** @internal */
  malformedInRow = 0;
  /** @internal */
  refusedInRow = 0;
  /** @internal */
  connectSeen = false;
  /** @internal A command (a replay) waits in `whenWritable` for a socket not being read. */
  waitingForSocket = false;
  /** @internal Token bucket state (limits/token-bucket.ts), kept on the session: no object per socket. */
  rateTokens: number;
  /** @internal */
  rateRefilledMs: number;
  /** Until when `connect` may arrive; the node's ticker enforces it (no timer per socket). */
  readonly authDeadlineMs: number;
  private stateListeners: ((change: StateChange) => void)[] | undefined;

  constructor(
    readonly ws: WebSocket,
    /** The TCP stream under `ws`: fan-out writes pre-framed bytes straight to it. */
    private readonly socket: Duplex,
    readonly ctx: NodeContext,
  ) {
    const now = Date.now();
    this.lastPingMs = now;
    this.id = ctx.newSessionId();
    this.rateTokens = ctx.config.rateBurst;
    this.rateRefilledMs = now;
    this.authDeadlineMs = now + ctx.config.authTimeout * 1000;
    // Shared listeners find their session through the socket: no closures per connection.
    (ws as SessionSocket)[kSession] = this;
    ws.on('message', onSocketMessage);
    ws.on('close', onSocketClose);
    ws.on('error', onSocketError);
  }

  /** Re-reads state after calls that may close the session (TS narrows the field otherwise). */
  isClosed(): boolean {
    return this.state === 'closed';
  }

  onStateChange(listener: (change: StateChange) => void): void {
    (this.stateListeners ??= []).push(listener);
  }

  transition(to: SessionState, reason: string): boolean {
    const from = this.state;
    if (!canTransition(from, to)) return false;
    this.state = to;
    if (this.stateListeners !== undefined)
      for (const l of this.stateListeners) l({ from, to, reason });
    return true;
  }

  // ---- outbound ----

  reply(message: ServerMessage, id: number | undefined): void {
    const withId = id === undefined ? message : { ...message, id };
    this.enqueue(Buffer.from(JSON.stringify(withId)));
  }

  push(message: ServerMessage): void {
    this.enqueue(Buffer.from(JSON.stringify(message)));
  }

  /** Adds an encoded message to the send queue; past the bounds the connection is closed 4001. */
  enqueue(text: Buffer): void {
    if (this.state === 'closed') return;
    const { maxQueueMessages, maxQueueBytes } = this.ctx.config;
    // What the socket still holds is read once per flush cycle, not per message: it cannot
    // shrink in between in a way that matters, and the getter showed up in the profile.
    if (this.queueCount === 0) this.socketBacklogBytes = this.socket.writableLength;
    if (
      this.queueCount >= maxQueueMessages ||
      this.queueBytes + this.socketBacklogBytes + text.length > maxQueueBytes
    ) {
      this.dropAsSlowConsumer();
      return;
    }
    if (this.queueCount === 0) this.queueFirst = text;
    else (this.queueMore ??= []).push(text);
    this.queueCount++;
    this.queueBytes += text.length;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.ctx.scheduleFlush(this);
    }
  }

  /**
   * Writes every queued message as one `\n`-joined frame. Given the time (the node's flush
   * pass), a ping due within a quarter interval rides along, so busy connections never pay a
   * write of their own for the heartbeat.
   */
  flush(nowMs?: number): void {
    this.flushScheduled = false;
    const first = this.queueFirst;
    if (first === undefined || this.ws.readyState !== 1) return;
    if (nowMs !== undefined && this.pingDue(nowMs)) {
      this.lastPingMs = nowMs;
      this.awaitingPongSinceMs = nowMs;
      (this.queueMore ??= []).push(PING_MESSAGE);
      this.queueCount++;
      this.queueBytes += PING_MESSAGE.length;
    }
    // One message: the shared, encode-once buffer goes out as is. Several: one frame, one
    // write (ARCHITECTURE.md: syscalls per socket are the cost that matters).
    const more = this.queueMore;
    // One message is usually an event every recipient shares, and a burst on a channel the
    // same run of shared events in every recipient's queue: frame either once for all of them.
    // Batches are shared only within the node's flush pass (`nowMs` given), which clears them.
    const payloadBytes = this.queueBytes + this.queueCount - 1;
    const frame =
      this.queueCount === 1 || more === undefined
        ? SHARED_FRAMES.frame(first)
        : nowMs === undefined
          ? frameLines(first, more, payloadBytes)
          : SHARED_BATCHES.frame(first, more, payloadBytes);
    this.queueFirst = undefined;
    this.queueMore = undefined;
    this.queueCount = 0;
    this.queueBytes = 0;
    if (this.coalesced !== undefined && this.coalesced.size > 0) this.coalesced.clear();
    // Straight to the socket: ws sends nothing of its own meanwhile (no compression, no
    // pings), and its close frame, queued later, still follows these bytes.
    this.socket.write(frame);
  }

  /** A ping is due within a quarter interval: the flush pass sends it in the same write. */
  private pingDue(nowMs: number): boolean {
    return (
      this.state === 'live' &&
      this.awaitingPongSinceMs === 0 &&
      nowMs - this.lastPingMs >= this.ctx.config.pingInterval * 750
    );
  }

  /** PROTOCOL.md §2.5: past the bounds, drop what is queued and close with 4001. */
  private dropAsSlowConsumer(): void {
    this.ctx.metrics.countQueueDrop(this.org);
    this.queueFirst = undefined;
    this.queueMore = undefined;
    this.queueCount = 0;
    this.queueBytes = 0;
    this.coalesced = undefined;
    this.replayBuffer = undefined;
    this.replayBufferBytes = 0;
    this.close(CLOSE_CODES.slowConsumer.code, 'slow consumer', true);
  }

  /** Bytes waiting in the send queue (not yet handed to the socket). */
  get queuedBytes(): number {
    return this.queueBytes;
  }

  /**
   * Resolves once the socket holds at most `maxBacklogBytes` (half the queue bound unless
   * told), or closed: a long replay waits here between pages instead of piling up past the
   * send-queue bound. A reader that does not drain within --pong-timeout is a slow consumer
   * (4001); without a deadline its replay, and every command behind it, would wait for ever.
   */
  whenWritable(maxBacklogBytes = this.ctx.config.maxQueueBytes / 2): Promise<void> {
    const socket = this.socket;
    if (socket.writableLength <= maxBacklogBytes || socket.destroyed) return RESOLVED;
    this.waitingForSocket = true;
    let deadline: NodeJS.Timeout | undefined;
    const stalled = new Promise<void>((resolve) => {
      deadline = setTimeout(() => {
        this.ctx.metrics.countLimit('write_stall');
        this.dropAsSlowConsumer();
        resolve();
      }, this.ctx.config.pongTimeout * 1000);
    });
    return Promise.race([whenBacklogAtMost(socket, maxBacklogBytes), stalled]).finally(() => {
      this.waitingForSocket = false;
      clearTimeout(deadline);
    });
  }

  /**
   * Replies once the socket has room for the whole reply under the send-queue bound, so a
   * large reply (a `history` page) waits for a slow reader instead of closing it with 4001.
   * False, sending nothing, when the reply alone is larger than the bound.
   */
  async replyWhenRoom(message: ServerMessage, id: number | undefined): Promise<boolean> {
    const text = Buffer.from(JSON.stringify(id === undefined ? message : { ...message, id }));
    const maxBytes = this.ctx.config.maxQueueBytes;
    if (text.length > maxBytes) return false;
    for (;;) {
      // A socket going away ends the wait at once: looping on it would never yield.
      if (this.isClosed() || this.ws.readyState !== 1 || this.socket.destroyed) return true;
      // With the queue handed to the socket, enqueue() reads the socket's backlog afresh.
      this.flush();
      if (this.socket.writableLength + text.length <= maxBytes) {
        this.enqueue(text);
        return true;
      }
      await this.whenWritable(maxBytes - text.length);
    }
  }

  // ---- fan-out ----

  /**
   * Hot path: one matching subscription for one event. No allocation unless sent. `direct`
   * (with the fan-out's time) lets it go straight to the socket instead of the flush pass.
   */
  deliver(sub: Subscription, event: LogEvent, frame: Buffer, direct = false, nowMs = 0): void {
    this.deliverPast(sub.fromSeq, event, frame, direct, nowMs);
  }

  /**
   * A run of events on one channel (`FanOut.run`); `fromSeq` is the lowest `fromSeq`
   * of the subscriptions of this session it matched. Direct (the run is a lone append's
   * whole), it goes out now as one frame shared by every recipient, like a lone event does:
   * writes start while the fan-out is still matching instead of after a pass that queues the
   * run 10,000 times (issue 3, M4).
   */
  deliverRun(run: EventRun, fromSeq: number, direct = false, nowMs = 0): void {
    const { events, frames } = run;
    const first = events[0];
    if (
      direct &&
      first !== undefined &&
      this.replayDepth === 0 &&
      this.state === 'live' &&
      this.queueCount === 0 &&
      // The queue's bounds hold for a run as if it had been queued: a run longer than the
      // queue may hold closes the connection (4001) the same whichever path it takes.
      events.length <= this.ctx.config.maxQueueMessages &&
      this.ws.readyState === 1 &&
      // A run's seqs ascend: when its first is new to this session, all of it is.
      first.seq > fromSeq &&
      first.seq > this.deliveredSeq &&
      !this.pingDue(nowMs)
    ) {
      const frame = (run.framed ??= frameRun(frames));
      if (this.socket.writableLength + frame.length <= this.ctx.config.maxQueueBytes) {
        this.deliveredSeq = (events[events.length - 1] as LogEvent).seq;
        this.ctx.metrics.hot.delivered += events.length;
        this.socket.write(frame);
        return;
      }
    }
    for (let i = 0; i < events.length; i++)
      this.deliverPast(fromSeq, events[i] as LogEvent, frames[i] as Buffer, false, 0);
  }

  private deliverPast(
    fromSeq: number,
    event: LogEvent,
    frame: Buffer,
    direct: boolean,
    nowMs: number,
  ): void {
    if (this.replayDepth > 0) {
      const buffer = (this.replayBuffer ??= []);
      const last = buffer[buffer.length - 1];
      if (last !== undefined && last.event.seq === event.seq) return;
      buffer.push({ event, frame });
      this.replayBufferBytes += frame.length;
      // Live events waiting behind a replay are queued messages too, under the same bounds:
      // a resume that stalls on a reader that reads nothing must not buffer every live event.
      const { maxQueueMessages, maxQueueBytes } = this.ctx.config;
      if (
        buffer.length > maxQueueMessages ||
        this.replayBufferBytes + this.queueBytes + this.socket.writableLength > maxQueueBytes
      )
        this.dropAsSlowConsumer();
      return;
    }
    if (event.seq <= fromSeq || event.seq <= this.deliveredSeq) return;
    if (this.state !== 'live') return;
    this.deliveredSeq = event.seq;
    this.ctx.metrics.hot.delivered++;
    // Direct: nothing queued before it, the socket open and under its bound, so writing now
    // keeps order and skips the flush pass. Otherwise queue (which also enforces the bound),
    // and when a ping is nearly due, so it rides along instead of costing a write of its own.
    if (
      direct &&
      this.queueCount === 0 &&
      !this.pingDue(nowMs) &&
      this.ws.readyState === 1 &&
      this.socket.writableLength + frame.length <= this.ctx.config.maxQueueBytes
    ) {
      this.socket.write(SHARED_FRAMES.frame(frame));
      return;
    }
    this.enqueue(frame);
  }

  /**
   * One ephemeral event (docs/ephemeral.md), encoded once for all. It is never a reason to close:
   * past half the send-queue bounds it is dropped and counted instead (4001 would make the client
   * resume, which cannot bring an ephemeral event back). With `coalesceKey`, an event of that
   * channel still queued for this flush is replaced in place: the latest wins. No seq, so neither
   * `deliveredSeq` nor a replay's buffer is involved; it may pass the events of a replay.
   */
  deliverEphemeral(frame: Buffer, coalesceKey: string | undefined): void {
    if (this.state !== 'live') return;
    const { maxQueueMessages, maxQueueBytes } = this.ctx.config;
    const { hot } = this.ctx.metrics;
    if (this.queueCount === 0) this.socketBacklogBytes = this.socket.writableLength;
    const at = coalesceKey === undefined ? undefined : this.coalesced?.get(coalesceKey);
    if (at !== undefined) {
      const old = (at === 0 ? this.queueFirst : this.queueMore?.[at - 1]) as Buffer;
      const bytes = this.queueBytes - old.length + frame.length;
      if (bytes + this.socketBacklogBytes <= maxQueueBytes / 2) {
        if (at === 0) this.queueFirst = frame;
        else (this.queueMore as Buffer[])[at - 1] = frame;
        this.queueBytes = bytes;
        hot.ephemeralCoalesced++;
        return;
      }
    } else if (
      this.queueCount < maxQueueMessages / 2 &&
      this.queueBytes + this.socketBacklogBytes + frame.length <= maxQueueBytes / 2
    ) {
      if (coalesceKey !== undefined)
        (this.coalesced ??= new Map()).set(coalesceKey, this.queueCount);
      hot.delivered++;
      this.enqueue(frame);
      return;
    }
    hot.ephemeralDropped++;
  }

  /** While a replay runs, live events wait in a buffer so none overtakes or slips past it. */
  beginReplay(): void {
    this.replayDepth++;
  }

  endReplay(): void {
    if (--this.replayDepth > 0) return;
    const buffered = this.replayBuffer;
    this.replayBuffer = undefined;
    this.replayBufferBytes = 0;
    for (const { event, frame } of buffered ?? []) {
      if (event.seq <= this.deliveredSeq) continue;
      for (const sub of this.subscriptions.values()) {
        if (
          event.seq > sub.fromSeq &&
          matchPattern(sub.pattern, event.channel) &&
          canReceive(this.user, event.channel, sub.room)
        ) {
          this.deliver(sub, event, frame);
          break;
        }
      }
    }
  }

  // ---- close ----

  /**
   * Closes with a code from PROTOCOL.md §7. Queued replies go first (an `error` before its
   * close); a slow consumer's queue is dropped and its socket cut if it will not read.
   */
  close(code: number, reason: string, dropQueue = false): void {
    if (this.state === 'closed') return;
    if (!dropQueue) this.flush();
    try {
      this.ws.close(code, truncateReason(reason));
    } catch {
      this.ws.terminate();
    }
    // The socket goes once its peer had time to read the close frame (ws waits 30 s for the
    // peer's answer): a second for a peer that never authenticated (--auth-timeout plus a
    // second in all), --pong-timeout for one that did. A slow consumer's queue is gone, so its
    // memory stays bounded by what the socket already holds while it may still learn why.
    const graceMs = this.state === 'awaiting_auth' ? 1000 : this.ctx.config.pongTimeout * 1000;
    this.killTimer = setTimeout(() => this.ws.terminate(), graceMs);
    this.killTimer.unref();
    // A reader held back for its backlog must be read again, or the close handshake cannot end.
    if (this.inboundPaused) {
      this.inboundPaused = false;
      this.ws.resume();
    }
    this.ctx.metrics.countClose(code);
    this.closed(reason);
  }

  /** @internal The socket's close handshake is over (whoever started it). */
  socketClosed(): void {
    clearTimeout(this.killTimer);
    this.closed('socket closed');
    this.ctx.socketClosed(this.ws);
  }

  private closed(reason: string): void {
    if (this.state === 'closed') return;
    const wasAuthenticated = this.state !== 'awaiting_auth';
    this.transition('closed', reason);
    if (wasAuthenticated || this.org !== '') {
      for (const sub of this.subscriptions.values()) this.dropSubscription(sub);
      this.subscriptions.clear();
    }
    this.ctx.sessionClosed(this);
  }

  /** Removes a subscription from the hub and presence (not from `subscriptions`). */
  dropSubscription(sub: Subscription): void {
    this.ctx.hub.delete(this.org, sub.pattern, sub);
    if (sub.presence) this.ctx.hub.unwatch(this.org, sub.pattern, sub);
    if (!sub.pattern.includes('*') && !sub.pattern.includes('>'))
      this.ctx.presenceLeave(this, sub.pattern);
  }
}

function frameRun(frames: readonly Buffer[]): Buffer {
  let payloadBytes = frames.length - 1;
  for (const f of frames) payloadBytes += f.length;
  return frameLines(frames[0] as Buffer, frames.slice(1), payloadBytes);
}

const SHARED_FRAMES = new FrameCache();
const SHARED_BATCHES = new BatchFrameCache();

/** The end of the node's flush pass: the batches it framed are not shared any further. */
export function endFlushPass(): void {
  SHARED_BATCHES.clear();
}
const RESOLVED: Promise<void> = Promise.resolve();

const kSession = Symbol('hubcast.session');
type SessionSocket = WebSocket & { [kSession]?: Session };

function onSocketMessage(this: SessionSocket, data: RawData, isBinary: boolean): void {
  const session = this[kSession];
  if (session !== undefined) receiveFrame(session, data as Buffer, isBinary);
}

function onSocketClose(this: SessionSocket): void {
  this[kSession]?.socketClosed();
}

function onSocketError(this: SessionSocket, err: Error): void {
  const session = this[kSession];
  session?.ctx.logger.debug({ err, session: session.id }, 'socket error');
}

/** Close reasons are at most 123 bytes (RFC 6455 §5.5). */
export function truncateReason(reason: string): string {
  const buf = Buffer.from(reason, 'utf8');
  if (buf.length <= 123) return reason;
  let end = 123;
  // Do not cut a UTF-8 sequence in half.
  while (end > 0 && ((buf[end] as number) & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}
