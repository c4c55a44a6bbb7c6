/**
 * Membership of hidden presence channels (names starting `~`, which no real channel can have,
 * PROTOCOL.md §1) with the presence grace period: a leave waits `leaveDelayMs` before it
 * removes the entry, so a member back within it (a reconnect, another device) never made the
 * count reach zero, and no last/first pair is reported. The presence engine decides first and
 * last atomically, across nodes on the Redis engine, so each is reported once cluster-wide.
 *
 * channel-occupancy.ts builds on it; presence-tracker.ts does the same for the `join`/`leave`
 * pushes of real channels. online-users.ts keeps its grace period in its one entry per
 * connection instead, which also answers who is live now.
 */
import type { Logger } from 'pino';
import type { Presence } from './presence.js';

export interface MembershipChange {
  org: string;
  /** The hidden channel. */
  channel: string;
  user: string;
  /** `first`: the user's first entry there; `last`: their last one went. */
  change: 'first' | 'last';
}

interface PendingLeave {
  timer: NodeJS.Timeout;
  run: () => Promise<void>;
}

export class DebouncedMembership {
  /** Leaves waiting out the delay, by `org\0channel\0session`. */
  private readonly pending = new Map<string, PendingLeave>();
  private readonly running = new Set<Promise<void>>();

  constructor(
    /** The node's presence engine now (a cluster node opens a new one at each start). */
    private readonly presence: () => Presence,
    private readonly leaveDelayMs: number,
    private readonly onChange: (change: MembershipChange) => void,
    private readonly logger: Logger,
  ) {}

  enter(org: string, channel: string, session: string, user: string): void {
    // The same session back within the delay: its entry is still there, and its pending
    // removal must not take it away now.
    const key = `${org}\0${channel}\0${session}`;
    const waiting = this.pending.get(key);
    if (waiting !== undefined) {
      clearTimeout(waiting.timer);
      this.pending.delete(key);
    }
    this.track(
      this.presence()
        .add(org, channel, session, { user })
        .then(({ firstForUser }) => {
          if (firstForUser) this.report({ org, channel, user, change: 'first' });
        }),
    );
  }

  leave(org: string, channel: string, session: string): void {
    const run = (): Promise<void> =>
      this.presence()
        .remove(org, channel, session)
        .then(({ lastForUser, user }) => {
          if (lastForUser && user !== undefined)
            this.report({ org, channel, user, change: 'last' });
        });
    if (this.leaveDelayMs <= 0) return this.track(run());
    const key = `${org}\0${channel}\0${session}`;
    clearTimeout(this.pending.get(key)?.timer);
    const timer = setTimeout(() => {
      this.pending.delete(key);
      this.track(run());
    }, this.leaveDelayMs);
    this.pending.set(key, { timer, run });
  }

  /** Runs the pending leaves now (shutdown) and waits for every write under way. */
  async close(): Promise<void> {
    const leaves = [...this.pending.values()];
    this.pending.clear();
    for (const leave of leaves) {
      clearTimeout(leave.timer);
      this.track(leave.run());
    }
    await Promise.allSettled([...this.running]);
  }

  private report(change: MembershipChange): void {
    try {
      this.onChange(change);
    } catch (err) {
      this.logger.error({ err }, 'membership listener failed');
    }
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((err: unknown) =>
      this.logger.warn({ err }, 'hidden presence write failed'),
    );
    this.running.add(tracked);
    void tracked.finally(() => this.running.delete(tracked));
  }
}
