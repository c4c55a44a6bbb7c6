/**
 * Fan-out: an append's events to every local subscription allowed to see them, encoded once
 * (STYLE rule 11), plus the node's flush pass. Sessions with queued messages are written
 * together once per event-loop turn, so a burst of events becomes one frame and one write per
 * connection; a lone append may go straight to the sockets instead (`direct`).
 */
import { chatRoomOf, personalOwner } from '@hubcast/protocol';
import {
  encodeEphemeralFrame,
  matchesAny,
  type EphemeralEvent,
} from '../ephemeral/ephemeral-event.js';
import type { Hub } from '../hub/hub.js';
import type { LogEvent } from '../log/log.js';
import type { Metrics } from '../metrics/metrics.js';
import { memberLeftOf } from './member-left.js';
import { encodeEventFrame } from '../session/event-frame.js';
import { endFlushPass, type EventRun } from '../session/outbound.js';
import type { Session, Subscription } from '../session/session.js';

export class FanOut {
  /**
   * Whether the events handed to `deliver` may go straight to the sockets: set by the publish
   * path (publish/publisher.ts) around the broker publish of an append no other publish
   * competes with; the local broker delivers within that call.
   */
  direct = false;
  /** Set by the first `deliverArrived` of an event-loop turn until the check phase. */
  private arrivedThisTurn = false;
  private readonly endArrivedTurn = (): void => {
    this.arrivedThisTurn = false;
  };
  /** When the last `deliverArrived` ended, and what its last direct delivery cost (ms). */
  private lastArrivedEndMs = 0;
  private lastDirectCostMs = 0;
  private dirty: Session[] = [];
  private flushPending = false;
  private runTag = 0;

  constructor(
    private readonly hub: Hub<Subscription>,
    private readonly metrics: Metrics,
    /** Channels whose ephemeral events are coalesced per flush (docs/ephemeral.md). */
    private readonly coalesceChannels: readonly string[] = [],
    /**
     * A `chat.member_left` event was just delivered (member-left.ts): the node ends the user's
     * subscriptions to the room before the next event of the append goes out.
     */
    private readonly onMemberLeft: (org: string, room: string, user: string) => void = () => {},
  ) {}

  /** Queues `session` for the node's flush pass (one per event-loop turn). */
  readonly scheduleFlush = (session: Session): void => {
    this.dirty.push(session);
    if (!this.flushPending) {
      this.flushPending = true;
      setImmediate(this.flushAll);
    }
  };

  private readonly flushAll = (): void => {
    this.flushPending = false;
    const batch = this.dirty;
    this.dirty = [];
    const nowMs = Date.now();
    for (const s of batch) s.flush(nowMs);
    endFlushPass();
  };

  /**
   * Events a shared broker brought (the cluster engine), where no publish call frames them. A
   * lone event goes straight to the sockets, as a lone local publish does: queuing it cost the
   * first client of 10,000 about 8 ms (bench M6 p1). Under load events queue, and a flush merges
   * several into one write per connection: written one by one, a saturated node fell behind
   * (M6 at 200K deliveries/s: p99 8.4 s against 0.7 s queued). Lone means: the first of its
   * event-loop turn, no connection waiting for a flush, and the node idle since the last
   * arrival for at least as long as the last direct delivery took.
   */
  deliverArrived(events: readonly LogEvent[], skipSession: string | undefined): void {
    const startMs = performance.now();
    const first = !this.arrivedThisTurn;
    if (first) {
      this.arrivedThisTurn = true;
      setImmediate(this.endArrivedTurn);
    }
    const idle = startMs - this.lastArrivedEndMs >= this.lastDirectCostMs;
    this.direct = first && idle && !this.flushPending;
    try {
      this.deliver(events, skipSession);
    } finally {
      const endMs = performance.now();
      if (this.direct) this.lastDirectCostMs = endMs - startMs;
      this.lastArrivedEndMs = endMs;
      this.direct = false;
    }
  }

  /**
   * One ephemeral event to every local connection allowed to see it, once per connection
   * however many of its subscriptions match, encoded once. It always goes through the send
   * queue and the flush pass: that is where coalescing (latest per channel) happens, and where
   * a connection past the ephemeral bound drops it instead of being closed (session/outbound.ts).
   */
  deliverEphemeral(event: EphemeralEvent, skipSession: string | undefined): void {
    const owner = personalOwner(event.channel);
    // Typing indicators and the like on `chat.<room>` are gated like the room's logged events.
    const room = chatRoomOf(event.channel);
    const coalesceKey = matchesAny(this.coalesceChannels, event.channel)
      ? event.channel
      : undefined;
    const tag = ++this.runTag;
    let frame: Buffer | undefined;
    const { hot } = this.metrics;
    const [deliveredBefore, droppedBefore] = [hot.delivered, hot.ephemeralDropped];
    this.hub.match(event.org, event.channel, (sub) => {
      const s = sub.session;
      if (owner !== undefined && s.user !== owner) return;
      if (room !== undefined && sub.room !== room) return;
      if (s.id === skipSession || s.runTag === tag) return;
      s.runTag = tag;
      frame ??= encodeEphemeralFrame(event);
      s.deliverEphemeral(frame, coalesceKey);
    });
    // Per tenant for the admin console: one call per event, not per connection.
    this.metrics.countFanout(
      event.org,
      hot.delivered - deliveredBefore,
      hot.ephemeralDropped - droppedBefore,
    );
  }

  /** One append's events (all of one org), in log order; `skipSession` published them. */
  deliver(events: readonly LogEvent[], skipSession: string | undefined): void {
    const startMs = Date.now();
    const deliveredBefore = this.metrics.hot.delivered;
    let start = 0;
    while (start < events.length) {
      const channel = (events[start] as LogEvent).channel;
      let end = start + 1;
      // A leave ends a run: what follows it must not reach the member who left.
      let left = memberLeftOf(events[start] as LogEvent);
      while (
        left === undefined &&
        end < events.length &&
        (events[end] as LogEvent).channel === channel
      )
        left = memberLeftOf(events[end++] as LogEvent);
      // Straight to the sockets only when this run is the whole append: an append spanning
      // several channels queues, so each connection still gets all of it in one write.
      const direct = this.direct && start === 0 && end === events.length;
      if (end - start === 1) this.one(events[start] as LogEvent, skipSession, direct, startMs);
      else this.run(events, start, end, skipSession, direct, startMs);
      if (left !== undefined)
        this.onMemberLeft((events[start] as LogEvent).org, left.room, left.user);
      start = end;
    }
    const nowMs = Date.now();
    for (const e of events) this.metrics.observeFanout(Math.max(0, nowMs - e.tsMs) / 1000, e.org);
    const org = events[0]?.org;
    if (org !== undefined)
      this.metrics.countFanout(org, this.metrics.hot.delivered - deliveredBefore);
  }

  private one(
    event: LogEvent,
    skipSession: string | undefined,
    direct: boolean,
    nowMs: number,
  ): void {
    const owner = personalOwner(event.channel);
    // A room's events go only to subscriptions gated by that room (docs/chat.md), as cheap a
    // check as the personal owner's.
    const room = chatRoomOf(event.channel);
    let frame: Buffer | undefined;
    this.hub.match(event.org, event.channel, (sub) => {
      const s = sub.session;
      if (owner !== undefined && s.user !== owner) return;
      if (room !== undefined && sub.room !== room) return;
      if (s.id === skipSession) return;
      frame ??= encodeEventFrame(event);
      s.deliver(sub, event, frame, direct, nowMs);
    });
  }

  /**
   * Events `start..end` of one append, all on one channel: one match, then each recipient
   * takes the whole run while its session is in cache, instead of one pass over every
   * subscriber per event (issue 3, M4). A session matched by several subscriptions takes the
   * run once, from the lowest `fromSeq` among them: what per-event passes would deliver. One
   * with a single subscription cannot be matched twice, so a direct run goes to it during the
   * match: the first writes start before the last subscriber is found.
   */
  private run(
    events: readonly LogEvent[],
    start: number,
    end: number,
    skipSession: string | undefined,
    direct: boolean,
    nowMs: number,
  ): void {
    const first = events[start] as LogEvent;
    const owner = personalOwner(first.channel);
    const room = chatRoomOf(first.channel);
    const tag = ++this.runTag;
    const targets: Session[] = [];
    let run: EventRun | undefined;
    const newRun = (): EventRun => {
      const runEvents = events.slice(start, end);
      return { events: runEvents, frames: runEvents.map(encodeEventFrame) };
    };
    this.hub.match(first.org, first.channel, (sub) => {
      const s = sub.session;
      if (owner !== undefined && s.user !== owner) return;
      if (room !== undefined && sub.room !== room) return;
      if (s.id === skipSession) return;
      // A session's subscriptions map holds every hub entry it has (an entry enters the map
      // first and leaves both in the same turn), so a size of one is one match at most.
      if (direct && s.subscriptions.size === 1)
        s.deliverRun((run ??= newRun()), sub.fromSeq, true, nowMs);
      else if (s.runTag !== tag) {
        s.runTag = tag;
        s.runFromSeq = sub.fromSeq;
        targets.push(s);
      } else if (sub.fromSeq < s.runFromSeq) s.runFromSeq = sub.fromSeq;
    });
    if (targets.length === 0) return;
    run ??= newRun();
    for (const s of targets) s.deliverRun(run, s.runFromSeq, direct, nowMs);
  }
}
