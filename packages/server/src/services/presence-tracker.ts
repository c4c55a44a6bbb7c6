/**
 * Presence join/leave (PROTOCOL.md §4, docs/presence.md): a user's first connection on a
 * channel pushes `join`, their last one pushes `leave` after `presenceLeaveDelay` seconds (the
 * grace period), so a quick reconnect shows neither. The member list lags with it: the leaving
 * connection stays listed until then, or until the same user enters that channel again on this
 * node. An info update (`presence.setInfo`) pushes `join` with `update: true`.
 *
 * Every per-user transition of the node goes through `announce`: the one place where "user U's
 * first connection entered C", "U's last connection left C (after the grace period)" and "U's
 * info on C changed" happen, each reported by exactly one node of the cluster (the engine's
 * first/last are atomic, a dead node is reaped by one node). `onTransition` listens there.
 */
import type { JsonValue } from '@hubcast/protocol';
import type { Logger } from 'pino';
import type { Broker } from '../broker/broker.js';
import type { ExpiryHandlers, MemberPage, Presence, PresenceChange } from '../presence/presence.js';

export interface PresenceSubject {
  id: string;
  org: string;
  user: string;
  info?: JsonValue | undefined;
  device?: string | undefined;
  /** When `info` was set (docs/presence.md "Devices": the info set last wins). */
  infoAtMs?: number;
}

/** One per-user change on a channel, cluster-wide deduplicated (see the file comment). */
export interface PresenceTransition {
  org: string;
  channel: string;
  user: string;
  /** `join`: first connection in; `leave`: last one out, after the grace; `update`: new info. */
  change: 'join' | 'leave' | 'update';
  /** The user's info as of the change (for `leave`: of the connection that went last). */
  info?: JsonValue;
  /**
   * `connection`: a connection entered or left; `info`: `presence.setInfo`; `node-expired`:
   * the user's last connection was on a node that died; `node-restored`: on a node that had
   * been declared dead and wrote its entries again.
   */
  cause: 'connection' | 'info' | 'node-expired' | 'node-restored';
}

/** Called synchronously on the node that decided the transition; must not throw or block. */
export type PresenceTransitionListener = (transition: PresenceTransition) => void;

export interface PresenceTrackerOptions {
  /** The node's presence engine now (a cluster node opens a new one at each start). */
  store: () => Presence;
  broker: Broker;
  /** The grace period (`presenceLeaveDelay`), ms; 0 sends `leave` at once. */
  leaveDelayMs: number;
  /** Members a `presence` reply or GET /api/presence lists at most (`presenceMembersMax`). */
  membersMax: number;
  logger: Logger;
}

/** A leave waiting out the delay: its timer and the removal it runs. */
interface PendingLeave {
  timer: NodeJS.Timeout;
  run: () => Promise<unknown>;
}

export class PresenceTracker {
  /** Pending leaves by `org\0channel\0user`, then by session. */
  private readonly pending = new Map<string, Map<string, PendingLeave>>();
  private readonly listeners = new Set<PresenceTransitionListener>();
  private readonly store: () => Presence;
  private readonly broker: Broker;
  private readonly leaveDelayMs: number;
  private readonly membersMax: number;
  private readonly logger: Logger;

  constructor(options: PresenceTrackerOptions) {
    this.store = options.store;
    this.broker = options.broker;
    this.leaveDelayMs = options.leaveDelayMs;
    this.membersMax = options.membersMax;
    this.logger = options.logger;
  }

  /** Adds a listener of every transition this node decides; returns its removal. */
  onTransition(listener: PresenceTransitionListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  enter(s: PresenceSubject, channel: string): void {
    // The user is back within the delay (the same connection, or a new one after a reconnect):
    // their pending leaves on this channel are off. The same connection simply stays; another
    // of theirs is removed once this one is in, so the count is right at once and, the user
    // never having been absent, no leave goes out.
    let stale: (() => Promise<unknown>)[] | undefined;
    if (this.pending.size > 0) {
      const key = userChannelKey(s.org, channel, s.user);
      const waiting = this.pending.get(key);
      if (waiting !== undefined) {
        this.pending.delete(key);
        for (const [session, leave] of waiting) {
          clearTimeout(leave.timer);
          if (session !== s.id) (stale ??= []).push(leave.run);
        }
      }
    }
    // The subject is the entry: no copy per connection (a memory store keeps a reference).
    const entered = this.store()
      .add(s.org, channel, s.id, s)
      .then(({ firstForUser }) => {
        if (firstForUser) return this.announce(transition(s, channel, 'join', 'connection'), s.id);
      })
      .catch((err: unknown) => this.logger.warn({ err }, 'presence enter failed'));
    if (stale !== undefined) {
      const runs = stale;
      void entered.then(() => {
        for (const run of runs) void run();
      });
    }
  }

  leave(s: PresenceSubject, channel: string): void {
    const run = (): Promise<unknown> =>
      this.store()
        .remove(s.org, channel, s.id)
        .then(({ lastForUser }) => {
          if (lastForUser) return this.announce(transition(s, channel, 'leave', 'connection'));
        })
        .catch((err: unknown) => this.logger.warn({ err }, 'presence leave failed'));
    if (this.leaveDelayMs <= 0) {
      void run();
      return;
    }
    const key = userChannelKey(s.org, channel, s.user);
    let waiting = this.pending.get(key);
    if (waiting === undefined) this.pending.set(key, (waiting = new Map<string, PendingLeave>()));
    const timer = setTimeout(() => {
      const now = this.pending.get(key);
      now?.delete(s.id);
      if (now?.size === 0) this.pending.delete(key);
      void run();
    }, this.leaveDelayMs);
    // A connection leaves a channel once before it enters again, which ends its pending leave.
    const earlier = waiting.get(s.id);
    if (earlier !== undefined) clearTimeout(earlier.timer);
    waiting.set(s.id, { timer, run });
  }

  /**
   * The connection's info changed (`s.info` holds the new one): its entry on each channel is
   * replaced and the channel's watchers get `join` with `update: true`. Resolves with the
   * channels updated, once their writes are done; a channel whose entry is gone (its removal
   * raced this) is skipped. Rejects if the engine fails (the client may retry).
   */
  async updateInfo(s: PresenceSubject, channels: readonly string[]): Promise<number> {
    const store = this.store();
    const updated = await Promise.all(
      channels.map(async (channel) => {
        if (!(await store.update(s.org, channel, s.id, s))) return false;
        await this.announce(transition(s, channel, 'update', 'info'), s.id);
        return true;
      }),
    );
    return updated.filter(Boolean).length;
  }

  /** The first `presenceMembersMax` members by user id, with the count of all. */
  members(org: string, channel: string): Promise<MemberPage> {
    return this.store().membersPage(org, channel, this.membersMax);
  }

  /**
   * What a cluster node's engine reports as nodes come and go: members of a node that died
   * leave, those of this node back from being cut off join again, through `announce`.
   */
  expiryHandlers(
    /** Told of the hidden channels' entries (online users, channel occupancy: webhooks). */
    onHidden?: (change: 'join' | 'leave', member: PresenceChange) => void,
  ): ExpiryHandlers {
    const report = (
      change: 'join' | 'leave',
      cause: PresenceTransition['cause'],
      members: readonly PresenceChange[],
    ): void => {
      for (const member of members) {
        const { org, channel, user, info } = member;
        // The cluster's hidden channels (cluster/user-slots.ts, presence/online-users.ts) have
        // no watchers to tell and are no presence of anyone's.
        if (channel.startsWith('~')) {
          onHidden?.(change, member);
          continue;
        }
        void this.announce({
          org,
          channel,
          user,
          change,
          cause,
          ...(info === undefined ? {} : { info }),
        });
      }
    };
    return {
      onExpired: (left) => report('leave', 'node-expired', left),
      onRestored: (joined) => report('join', 'node-restored', joined),
      onError: (err) => this.logger.warn({ err }, 'presence heartbeat failed; retrying'),
    };
  }

  /**
   * Shutdown. `runPending`: run the pending leaves now (resolves once they are done), for a
   * presence that dies with the node. Otherwise only their timers stop: a shared presence that
   * expires keeps the entries until the node's TTL has passed, and the node that reaps them
   * sends each `leave` then, unless the user came back on any node meanwhile. A rolling restart
   * thus shows no leave/join pair for the clients that reconnect elsewhere in time.
   */
  async close({ runPending }: { runPending: boolean }): Promise<void> {
    const all = [...this.pending.values()];
    this.pending.clear();
    const runs: Promise<unknown>[] = [];
    for (const waiting of all)
      for (const leave of waiting.values()) {
        clearTimeout(leave.timer);
        if (runPending) runs.push(leave.run());
      }
    await Promise.all(runs);
  }

  /**
   * The one door of every transition: listeners first (they run on this node only), then the
   * broker tells every node's watchers. `skipSession` never gets its own push.
   */
  private announce(t: PresenceTransition, skipSession?: string): Promise<void> {
    for (const listener of this.listeners) {
      try {
        listener(t);
      } catch (err) {
        this.logger.warn({ err }, 'presence transition listener failed');
      }
    }
    return this.broker
      .publish({
        kind: 'presence',
        org: t.org,
        channel: t.channel,
        change: t.change,
        user: t.user,
        ...(t.info === undefined ? {} : { info: t.info }),
        ...(skipSession === undefined ? {} : { session: skipSession }),
      })
      .then(
        () => undefined,
        (err: unknown) => this.logger.warn({ err }, `presence ${t.change} not sent`),
      );
  }
}

function transition(
  s: PresenceSubject,
  channel: string,
  change: PresenceTransition['change'],
  cause: PresenceTransition['cause'],
): PresenceTransition {
  return {
    org: s.org,
    channel,
    user: s.user,
    change,
    cause,
    ...(s.info === undefined ? {} : { info: s.info }),
  };
}

const userChannelKey = (org: string, channel: string, user: string): string =>
  `${org}\0${channel}\0${user}`;
