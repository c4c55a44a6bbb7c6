/**
 * Who is online in a tenant, across the cluster: each live connection is a presence entry on a
 * hidden per-user channel `~online.<user>`, on the node's presence engine (memory when
 * embedded, Redis with node expiry in a cluster). A user is online from their first connection
 * anywhere until their last one has been gone for the presence grace period
 * (`presenceLeaveDelay`): a reconnect or a second device within it changes nothing.
 *
 * `isOnline` is the one answer to "would a push reach this user now" that webhooks
 * (`notification.undelivered`) and Web Push share.
 */
import type { Logger } from 'pino';
import { DebouncedMembership } from './debounced-membership.js';
import type { Presence, PresenceChange } from './presence.js';

const PREFIX = '~online.';
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

export class OnlineUsers {
  private readonly membership: DebouncedMembership;
  /** Live connections counted here, so a refused or never-admitted one is never removed. */
  private readonly counted = new Set<string>();

  constructor(
    private readonly presence: () => Presence,
    leaveDelayMs: number,
    private readonly onChange: (change: OnlineChange) => void,
    logger: Logger,
  ) {
    this.membership = new DebouncedMembership(
      presence,
      leaveDelayMs,
      ({ org, user, change }) => onChange({ org, user, online: change === 'first' }),
      logger,
    );
  }

  /** The connection is live (authenticated and admitted). */
  connected(c: Connection): void {
    if (this.counted.has(c.id)) return;
    this.counted.add(c.id);
    this.membership.enter(c.org, channelOf(c.user), c.id, c.user);
  }

  /** The connection is gone; the user goes offline once the grace period passes. */
  disconnected(c: Connection): void {
    if (!this.counted.delete(c.id)) return;
    this.membership.leave(c.org, channelOf(c.user), c.id);
  }

  /**
   * Whether the user has a connection anywhere in the cluster (or had one within the grace
   * period). Rejects when the presence engine cannot answer.
   */
  async isOnline(org: string, user: string): Promise<boolean> {
    const members = await this.presence().members(org, channelOf(user));
    return members.length > 0;
  }

  /**
   * Node expiry (presence.ts `ExpiryHandlers`) reports hidden channels too: a user whose last
   * connection was on a node that died went offline; one restored after a cut-off came back.
   * Answers false for a change that is not this module's.
   */
  fromExpiry(change: 'join' | 'leave', c: PresenceChange): boolean {
    if (!c.channel.startsWith(PREFIX)) return false;
    this.onChange({ org: c.org, user: c.user, online: change === 'join' });
    return true;
  }

  /** Runs the pending offlines now (shutdown) and waits for the writes under way. */
  close(): Promise<void> {
    this.counted.clear();
    return this.membership.close();
  }
}
