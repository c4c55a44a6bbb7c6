/**
 * Whether a channel has subscribers anywhere in the cluster, for the `channel.occupied` /
 * `channel.vacated` webhooks. Counted are exact subscriptions to concrete channels, as presence
 * counts them (PROTOCOL.md §4): a pattern such as `chat.*` occupies nothing. Each subscription
 * is a presence entry on the hidden channel `~occupied.<channel>` under one shared member, so
 * the presence engine's "first/last for user" is "first/last subscriber", and the grace period
 * (`presenceLeaveDelay`) debounces a resubscribe or reconnect.
 */
import type { Logger } from 'pino';
import { DebouncedMembership } from './debounced-membership.js';
import type { Presence, PresenceChange } from './presence.js';

const PREFIX = '~occupied.';
/** The one member every subscription of a channel counts under. */
const ANYONE = '~';

export interface OccupancyChange {
  org: string;
  channel: string;
  occupied: boolean;
}

export class ChannelOccupancy {
  private readonly membership: DebouncedMembership;

  constructor(
    presence: () => Presence,
    leaveDelayMs: number,
    private readonly onChange: (change: OccupancyChange) => void,
    logger: Logger,
  ) {
    this.membership = new DebouncedMembership(
      presence,
      leaveDelayMs,
      ({ org, channel, change }) =>
        onChange({ org, channel: channel.slice(PREFIX.length), occupied: change === 'first' }),
      logger,
    );
  }

  /** A session subscribed to the concrete `channel`. */
  enter(session: string, org: string, channel: string): void {
    this.membership.enter(org, PREFIX + channel, session, ANYONE);
  }

  /** That subscription ended (unsubscribe, refresh, close). */
  leave(session: string, org: string, channel: string): void {
    this.membership.leave(org, PREFIX + channel, session);
  }

  /** As `OnlineUsers.fromExpiry`: a dead node's channels are vacated, a restored one's occupied. */
  fromExpiry(change: 'join' | 'leave', c: PresenceChange): boolean {
    if (!c.channel.startsWith(PREFIX)) return false;
    const channel = c.channel.slice(PREFIX.length);
    this.onChange({ org: c.org, channel, occupied: change === 'join' });
    return true;
  }

  close(): Promise<void> {
    return this.membership.close();
  }
}
