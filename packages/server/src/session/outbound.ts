/**
 * A session's outbound side: the send queue and its bounds (PROTOCOL.md §2.5), the flush, waits
 * for a slow socket, and the fan-out's delivery into it, including the buffer that holds live
 * events behind a replay. Frames in are in inbound.ts; the connection itself (state, close,
 * subscriptions) in session.ts, whose `Session` extends this class: one object per socket.
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { CLOSE_CODES, matchPattern, type ServerMessage } from '@hubcast/protocol';
import { canReceive } from '../auth/grants.js';
import type { LogEvent } from '../log/log.js';
import { whenBacklogAtMost } from './socket-backlog.js';
import { PING_MESSAGE } from './session-ticker.js';
import { BatchFrameCache, FrameCache, frameLines } from './ws-frame.js';
import type { SessionState } from './session-state.js';
import type { NodeContext } from './context.js';
import type { Subscription } from './session.js';

/** Consecutive events of one append on one channel, each with its encoded `event` push. */
export interface EventRun {
  readonly events: readonly LogEvent[];
  readonly frames: readonly Buffer[];
  /** The whole run as one WebSocket frame, built by its first direct recipient. */
  framed?: Buffer;
}

/** The outbound half of `Session` (session.ts); not constructed on its own. */
export abstract class SessionOutbound {
  /** Highest seq sent live; guarantees at-most-once per connection. */
  deliveredSeq = 0;

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
  /** @internal A command (a replay) waits in `whenWritable` for a socket not being read. */
  waitingForSocket = false;

  // The connection's own fields, declared in session.ts.
  abstract state: SessionState;
  abstract org: string;
  abstract readonly user: string;
  abstract readonly subscriptions: Map<string, Subscription>;
  abstract lastPingMs: number;
  abstract awaitingPongSinceMs: number;

  constructor(
    readonly ws: WebSocket,
    /** The TCP stream under `ws`: fan-out writes pre-framed bytes straight to it. */
    private readonly socket: Duplex,
    readonly ctx: NodeContext,
  ) {}

  abstract isClosed(): boolean;

  abstract close(code: number, reason: string, dropQueue?: boolean): void;

  /** Asks the node's flush pass to flush this session (`NodeContext.scheduleFlush`). */
  protected abstract scheduleFlush(): void;

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
      this.scheduleFlush();
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
