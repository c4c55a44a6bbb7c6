/**
 * `--max-connections-per-user` over the whole cluster (issue 11): each node counts its own
 * connections exactly (limits/admission.ts); a cluster node also records each connection as a
 * presence entry on a hidden per-user channel and counts the user's entries on every node. The
 * presence engine's node expiry (presence/redis.ts) removes a crashed node's entries, so a
 * crash never leaves a user locked out.
 *
 * Two connects racing on different nodes may both see the other and both be refused: past the
 * limit the cluster errs on refusing, and the client retries.
 */
import type { Presence } from '../presence/presence.js';

/** No channel can start with `~` (PROTOCOL.md §1), so this never meets a real one. */
const channelOf = (user: string): string => `~connections.${user}`;

export interface SlotHolder {
  readonly id: string;
  readonly org: string;
  readonly user: string;
}

export class ClusterUserSlots {
  private readonly held = new Set<string>();

  constructor(
    private readonly presence: () => Presence,
    private readonly limit: number,
  ) {}

  /** Takes a slot of the user's: false (and nothing held) when the cluster is past the limit. */
  async take(s: SlotHolder): Promise<boolean> {
    const store = this.presence();
    const channel = channelOf(s.user);
    this.held.add(s.id);
    try {
      await store.add(s.org, channel, s.id, { user: s.user });
      const [member] = await store.members(s.org, channel);
      if ((member?.connections ?? 0) <= this.limit) return true;
    } catch (err) {
      this.release(s);
      throw err;
    }
    this.release(s);
    return false;
  }

  /**
   * Whether the user has a live connection anywhere in the cluster now (no grace period, unlike
   * presence/online-users.ts): what Web Push and `notification.undelivered` ask.
   */
  async hasConnection(org: string, user: string): Promise<boolean> {
    const [member] = await this.presence().members(org, channelOf(user));
    return (member?.connections ?? 0) > 0;
  }

  /** The connection is gone (or was refused): its slot is free again. */
  release(s: SlotHolder): void {
    if (!this.held.delete(s.id)) return;
    // Failing, the entry stays until the node's presence expires with it; nothing to report.
    this.presence()
      .remove(s.org, channelOf(s.user), s.id)
      .catch(() => undefined);
  }
}
