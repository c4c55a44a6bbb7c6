/**
 * Presence join/leave (PROTOCOL.md §4): a user's first connection on a channel pushes `join`,
 * their last one pushes `leave` after `presenceLeaveDelay` seconds, so a quick reconnect shows
 * neither. The member list lags with it: the leaving connection stays listed until then, or
 * until the same user enters that channel again on this node.
 */
import type { PresenceMember } from '@hubcast/protocol';
import type { Logger } from 'pino';
import type { Broker } from '../broker/broker.js';
import type { Presence } from '../presence/presence.js';

export interface PresenceSubject {
  id: string;
  org: string;
  user: string;
  info?: PresenceMember['info'];
  device?: string;
}

/** A leave waiting out the delay: its timer and the removal it runs. */
interface PendingLeave {
  timer: NodeJS.Timeout;
  run: () => Promise<unknown>;
}

export class PresenceTracker {
  /** Pending leaves by `org\0channel\0user`, then by session. */
  private readonly pending = new Map<string, Map<string, PendingLeave>>();

  constructor(
    /** The node's presence engine now (a cluster node opens a new one at each start). */
    private readonly store: () => Presence,
    private readonly broker: Broker,
    private readonly leaveDelayMs: number,
    private readonly logger: Logger,
  ) {}

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
        if (!firstForUser) return;
        return this.broker.publish({
          kind: 'presence',
          org: s.org,
          channel,
          change: 'join',
          user: s.user,
          session: s.id,
          ...(s.info === undefined ? {} : { info: s.info }),
        });
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
          if (!lastForUser) return;
          return this.broker.publish({
            kind: 'presence',
            org: s.org,
            channel,
            change: 'leave',
            user: s.user,
            ...(s.info === undefined ? {} : { info: s.info }),
          });
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

  members(org: string, channel: string): Promise<PresenceMember[]> {
    return this.store().members(org, channel);
  }

  /** Runs pending leaves now (shutdown); resolves once they are done. */
  async close(): Promise<void> {
    const all = [...this.pending.values()];
    this.pending.clear();
    const runs: Promise<unknown>[] = [];
    for (const waiting of all)
      for (const leave of waiting.values()) {
        clearTimeout(leave.timer);
        runs.push(leave.run());
      }
    await Promise.all(runs);
  }
}

const userChannelKey = (org: string, channel: string, user: string): string =>
  `${org}\0${channel}\0${user}`;
