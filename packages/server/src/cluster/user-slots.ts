/**
 * `--max-connections-per-user` over the whole cluster (issue 11): each node counts its own
 * connections exactly (limits/admission.ts); a cluster node also writes each connection's
 * hidden presence entry (presence/online-users.ts, the same one that tells who is online) and
 * counts the user's live entries on every node. The presence engine's node expiry
 * (presence/redis.ts) leaves a crashed node's entries out, so a crash never leaves a user
 * locked out.
 *
 * Two connects racing on different nodes may both see the other and both be refused: past the
 * limit the cluster errs on refusing, and the client retries.
 */
import type { Connection, OnlineUsers } from '../presence/online-users.js';

export class ClusterUserSlots {
  constructor(
    /** The node's online users (the webhook hooks hold them: they report the changes). */
    private readonly users: () => OnlineUsers,
    private readonly limit: number,
  ) {}

  /** Takes a slot of the user's: false (and nothing held) when the cluster is past the limit. */
  async take(c: Connection): Promise<boolean> {
    const users = this.users();
    await users.enter(c);
    let live: number;
    try {
      live = await users.liveConnections(c.org, c.user);
    } catch (err) {
      users.refused(c);
      throw err;
    }
    if (live <= this.limit) return true;
    users.refused(c);
    return false;
  }

  /**
   * Whether the user has a live connection anywhere in the cluster now (no grace period):
   * what Web Push and `notification.undelivered` ask.
   */
  async hasConnection(org: string, user: string): Promise<boolean> {
    return (await this.users().liveConnections(org, user)) > 0;
  }

  /** The connection is gone (or was refused): its slot is free again. */
  release(c: Connection): void {
    this.users().disconnected(c);
  }
}
