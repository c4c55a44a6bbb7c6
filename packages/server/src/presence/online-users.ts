/**
 * Each connection's one hidden presence entry, on the per-user channel `~connections.<user>`,
 * and the two views of a user drawn from it:
 *
 * - **Live now** (exact): entries that carry the connection id as `device`. `members()` lists a
 *   user's distinct devices, so their number is the user's live connections on live nodes:
 *   the cluster-wide `maxConnectionsPerUser` (cluster/user-slots.ts) and `hasConnection`, which
 *   Web Push and `notification.undelivered` ask.
 * - **Online** (debounced): any entry, live or lingering. When the org takes `user.online` or
 *   `user.offline`, a closed connection's entry loses its device at once and is removed only
 *   after the grace period (`presenceLeaveDelay`), so a reconnect or second device within it
 *   never makes the user's count reach zero. The engine decides first and last atomically, on
 *   Redis across nodes, so each `user.online`/`user.offline` is reported once cluster-wide;
 *   node expiry reaps a crashed node's entries, live or lingering, and reports the users it
 *   took offline (`fromExpiry`).
 *
 * A node keeps at most one lingering entry per user: a connection of a user who has one here
 * already is removed at once and the lingering one's grace period starts again. So a user who
 * reconnects in a loop holds at most one entry per node beyond their live ones, and the read of
 * their entries at each connect (the per-user limit) stays small.
 *
 * Cost: a connect writes one entry (`add`); a disconnect removes it (`remove`), or, in an org
 * that takes the online webhooks, drops its device (`update`) and removes it after the grace
 * period (unless the node lingers one of the user's already). An embedded node, whose admission counts live connections itself, writes entries
 * only for orgs that take the online webhooks.
 */
import type { Logger } from 'pino';
import type { Presence, PresenceChange } from './presence.js';

const PREFIX = '~connections.';
/** No channel can start with `~` (PROTOCOL.md §1), so this never meets a real one. */
const channelOf = (user: string): string => `${PREFIX}${user}`;

export interface OnlineChange {
  org: string;
  user: string;
  /** true: the user's first connection in the tenant; false: their last one is gone. */
  online: boolean;
}

export interface Connection {
  readonly id: string;
  readonly org: string;
  readonly user: string;
}

export interface OnlineUsersOptions {
  /** The node's presence engine now (a cluster node opens a new one at each start). */
  presence: () => Presence;
  leaveDelayMs: number;
  /**
   * Whether the org takes `user.online` or `user.offline`: only then do its entries linger
   * for the grace period, and only then does `connected` write one.
   */
  reportsChanges: (org: string) => boolean;
  onChange: (change: OnlineChange) => void;
  logger: Logger;
}

interface Lingering {
  timer: NodeJS.Timeout;
  run: () => Promise<void>;
}

const userKey = (c: Connection): string => `${c.org}\0${c.user}`;

export class OnlineUsers {
  /** Connections whose entry was written (or is being): only these are ever removed. */
  private readonly entered = new Set<string>();
  /** The closed connection whose entry waits out the grace period, by `org\0user`. */
  private readonly lingering = new Map<string, Lingering>();
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly options: OnlineUsersOptions) {}

  /**
   * The connection is live (authenticated and admitted): writes its entry if the org takes
   * the online webhooks and `enter` has not already (a cluster node's user slots do).
   */
  connected(c: Connection): void {
    if (!this.entered.has(c.id) && this.options.reportsChanges(c.org)) this.track(this.enter(c));
  }

  /**
   * Writes the connection's entry, live (one presence write); reports `online` if it is the
   * user's first. Rejects, holding nothing, when the presence engine fails.
   */
  async enter(c: Connection): Promise<void> {
    if (this.entered.has(c.id)) return;
    this.entered.add(c.id);
    let isFirst: boolean;
    try {
      const entry = { user: c.user, device: c.id };
      ({ firstForUser: isFirst } = await this.presence().add(
        c.org,
        channelOf(c.user),
        c.id,
        entry,
      ));
    } catch (err) {
      // The write may have happened with its reply lost: remove it anyway (presence.ts), and
      // report nothing, as no `online` was.
      if (this.entered.delete(c.id)) this.track(this.remove(c, false));
      throw err;
    }
    if (isFirst) this.report({ org: c.org, user: c.user, online: true });
  }

  /** The connection is gone: live no more at once, offline once the grace period passes. */
  disconnected(c: Connection): void {
    if (!this.entered.delete(c.id)) return;
    const { leaveDelayMs, reportsChanges } = this.options;
    if (leaveDelayMs <= 0 || !reportsChanges(c.org)) return this.track(this.remove(c, true));
    const key = userKey(c);
    const held = this.lingering.get(key);
    if (held !== undefined) {
      // The user stays online on the lingering entry, whose grace period starts again.
      this.track(this.remove(c, true));
      clearTimeout(held.timer);
      held.timer = this.lingerTimer(key, held.run);
      return;
    }
    // Same user, no device: the engine still counts it (online), `members()` lists no device.
    this.track(
      this.presence()
        .update(c.org, channelOf(c.user), c.id, { user: c.user })
        .then(() => undefined),
    );
    const run = (): Promise<void> => this.remove(c, true);
    this.lingering.set(key, { timer: this.lingerTimer(key, run), run });
  }

  /** A connection refused after `enter` (over the per-user limit): removed now, no grace. */
  refused(c: Connection): void {
    if (this.entered.delete(c.id)) this.track(this.remove(c, true));
  }

  /** The user's live connections on live nodes. Rejects when the presence engine cannot answer. */
  async liveConnections(org: string, user: string): Promise<number> {
    const [member] = await this.presence().members(org, channelOf(user));
    return member?.devices.length ?? 0;
  }

  /**
   * Node expiry (presence.ts `ExpiryHandlers`) reports hidden channels too: a user whose last
   * entry was on a node that died went offline; one restored after a cut-off came back.
   * Answers false for a change that is not this module's.
   */
  fromExpiry(change: 'join' | 'leave', c: PresenceChange): boolean {
    if (!c.channel.startsWith(PREFIX)) return false;
    this.report({ org: c.org, user: c.user, online: change === 'join' });
    return true;
  }

  /** Runs the pending removals now (shutdown) and waits for the writes under way. */
  async close(): Promise<void> {
    const pending = [...this.lingering.values()];
    this.lingering.clear();
    for (const { timer, run } of pending) {
      clearTimeout(timer);
      this.track(run());
    }
    this.entered.clear();
    await Promise.allSettled([...this.running]);
  }

  private lingerTimer(key: string, run: () => Promise<void>): NodeJS.Timeout {
    return setTimeout(() => {
      this.lingering.delete(key);
      this.track(run());
    }, this.options.leaveDelayMs);
  }

  private presence(): Presence {
    return this.options.presence();
  }

  private async remove(c: Connection, reportsLast: boolean): Promise<void> {
    const { lastForUser } = await this.presence().remove(c.org, channelOf(c.user), c.id);
    if (lastForUser && reportsLast) this.report({ org: c.org, user: c.user, online: false });
  }

  private report(change: OnlineChange): void {
    if (!this.options.reportsChanges(change.org)) return;
    try {
      this.options.onChange(change);
    } catch (err) {
      this.options.logger.error({ err }, 'online users listener failed');
    }
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((err: unknown) =>
      this.options.logger.warn({ err }, 'hidden presence write failed'),
    );
    this.running.add(tracked);
    void tracked.finally(() => this.running.delete(tracked));
  }
}
