/**
 * The client's subscriptions grouped by pattern, each group mirroring one server
 * subscription, and the local routing of pushes to them. Bookkeeping only: the client sends.
 */
import {
  HubcastError,
  matchPattern,
  type JoinPush,
  type LeavePush,
  type RejectedSubscription,
} from '@hubcast/protocol';
import type { HubcastEvent, SubscribedContext } from './events.js';
import type { Subscription } from './subscription.js';

/** Where the server stands with a pattern on the current connection. */
type ServerSideState = 'idle' | 'pending' | 'live';

/** @internal */
export interface PatternGroup {
  readonly pattern: string;
  readonly subs: Set<Subscription>;
  /** Some subscription asked for presence pushes. */
  presence: boolean;
  /** Presence was asked of the server on this connection. */
  presenceSent: boolean;
  /** A cursor to replay from on the next `subscribe`; advanced by the replayed events. */
  cursor: string | undefined;
  serverState: ServerSideState;
  /** A `subscribe` with a cursor is in flight: its replayed events are arriving. */
  replaying: boolean;
  /** What the server said when the pattern last went live, for late joiners of the group. */
  liveContext: SubscribedContext | undefined;
}

/** @internal */
export class SubscriptionRegistry {
  private readonly groups = new Map<string, PatternGroup>();

  get(pattern: string): PatternGroup | undefined {
    return this.groups.get(pattern);
  }

  /** Adds a subscription; says whether the server must be asked (new pattern or presence). */
  add(
    sub: Subscription,
    cursor: string | undefined,
  ): { group: PatternGroup; mustSubscribe: boolean } {
    const existing = this.groups.get(sub.channel);
    if (existing !== undefined) {
      existing.subs.add(sub);
      const presenceUpgrade = sub.presence && !existing.presence;
      if (sub.presence) existing.presence = true;
      if (existing.serverState === 'live' && existing.liveContext !== undefined)
        sub.markSubscribed(existing.liveContext);
      return { group: existing, mustSubscribe: presenceUpgrade && existing.serverState !== 'idle' };
    }
    const group: PatternGroup = {
      pattern: sub.channel,
      subs: new Set([sub]),
      presence: sub.presence,
      presenceSent: false,
      cursor,
      serverState: 'idle',
      replaying: false,
      liveContext: undefined,
    };
    this.groups.set(group.pattern, group);
    return { group, mustSubscribe: true };
  }

  /** Removes a subscription; returns its group when that was the last one (group removed). */
  remove(sub: Subscription): PatternGroup | undefined {
    const group = this.groups.get(sub.channel);
    if (group === undefined || !group.subs.delete(sub) || group.subs.size > 0) return undefined;
    this.groups.delete(group.pattern);
    return group;
  }

  /**
   * Patterns for the `connect` message, marked pending. Groups with a replay cursor are left
   * out: they get their own `subscribe` with that cursor once connected.
   */
  patternsForConnect(): string[] {
    const out: string[] = [];
    for (const g of this.groups.values()) {
      if (g.cursor !== undefined) continue;
      g.serverState = 'pending';
      out.push(g.pattern);
    }
    return out;
  }

  /** Applies `connected`: accepted patterns go live, rejected ones end with their code. */
  applyConnected(
    accepted: readonly string[],
    rejected: readonly RejectedSubscription[],
    ctx: Omit<SubscribedContext, 'channel'>,
  ): void {
    const live = new Set(accepted);
    for (const r of rejected) {
      const g = this.groups.get(r.channel);
      if (g !== undefined)
        this.fail(g, new HubcastError(r.code, `subscription to '${r.channel}' refused: ${r.code}`));
    }
    for (const g of this.groups.values()) {
      if (g.serverState !== 'pending' || g.cursor !== undefined) continue;
      if (live.has(g.pattern)) this.markLive(g, { ...ctx, channel: g.pattern });
      else g.serverState = 'idle';
    }
  }

  /** Groups that need a `subscribe` now that the connection is up. */
  needingSubscribe(): PatternGroup[] {
    return [...this.groups.values()].filter(
      (g) => g.serverState === 'idle' || (g.presence && !g.presenceSent),
    );
  }

  markPending(group: PatternGroup, withCursor: boolean): void {
    if (group.serverState === 'idle') group.serverState = 'pending';
    group.replaying = withCursor;
    if (group.presence) group.presenceSent = true;
  }

  markLive(group: PatternGroup, ctx: SubscribedContext): void {
    group.serverState = 'live';
    group.replaying = false;
    group.cursor = undefined;
    group.liveContext = ctx;
    for (const sub of group.subs) sub.markSubscribed(ctx);
  }

  /** Ends every subscription of the group with `error` and forgets the pattern. */
  fail(group: PatternGroup, error: HubcastError): void {
    this.groups.delete(group.pattern);
    for (const sub of group.subs) sub.end(error.code, error);
  }

  /** The server ended a pattern (`unsubscribed` push). Returns whether it was known. */
  endByServer(pattern: string, reason: string): boolean {
    const group = this.groups.get(pattern);
    if (group === undefined) return false;
    this.groups.delete(pattern);
    for (const sub of group.subs) sub.end(reason);
    return true;
  }

  /** The socket is gone: every pattern must be asked again on the next connection. */
  connectionLost(reason: string): void {
    for (const g of this.groups.values()) {
      g.serverState = 'idle';
      g.presenceSent = false;
      g.replaying = false;
      for (const sub of g.subs) sub.markSubscribing(reason);
    }
  }

  /**
   * The group an event was replayed for, if it was: a `subscribe` with a cursor is in flight
   * for a pattern it matches and no other requested pattern matches it (docs/protocol.md §4: those
   * replays are the events "that match the new pattern and none of the connection's other
   * subscriptions"). Such events are older than the connection cursor.
   */
  replayTarget(channel: string): PatternGroup | undefined {
    let target: PatternGroup | undefined;
    for (const g of this.groups.values()) {
      if (g.serverState === 'idle' || !matchPattern(g.pattern, channel)) continue;
      if (!g.replaying) return undefined;
      target ??= g;
    }
    return target;
  }

  /** Hands an event to every matching subscription, or only to the replay target's. */
  deliver(event: HubcastEvent, target: PatternGroup | undefined): void {
    if (target !== undefined) {
      target.cursor = event.cursor;
      for (const sub of [...target.subs]) sub.deliver(event);
      return;
    }
    for (const g of [...this.groups.values()]) {
      if (!matchPattern(g.pattern, event.channel)) continue;
      for (const sub of [...g.subs]) sub.deliver(event);
    }
  }

  /** Presence pushes go to the subscriptions of exactly that channel. */
  deliverPresence(push: JoinPush | LeavePush): void {
    const group = this.groups.get(push.channel);
    if (group === undefined) return;
    const ctx = {
      channel: push.channel,
      user: push.user,
      ...(push.info !== undefined ? { info: push.info } : {}),
      ...(push.type === 'join' && push.update === true ? { update: true as const } : {}),
    };
    for (const sub of [...group.subs]) sub.presenceChanged(push.type, ctx);
  }
}
