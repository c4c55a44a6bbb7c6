/**
 * Presence join/leave (PROTOCOL.md §4): a user's first connection on a channel pushes `join`,
 * their last one pushes `leave` after `presenceLeaveDelay` seconds, so a quick reconnect shows
 * neither. The member list lags with it: the leaving connection stays listed until then.
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

export class PresenceTracker {
  private readonly pending = new Map<NodeJS.Timeout, () => void>();

  constructor(
    private readonly presence: Presence,
    private readonly broker: Broker,
    private readonly leaveDelayMs: number,
    private readonly logger: Logger,
  ) {}

  enter(s: PresenceSubject, channel: string): void {
    // The subject is the entry: no copy per connection (a memory store keeps a reference).
    this.presence
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
  }

  leave(s: PresenceSubject, channel: string): void {
    const run = (): void => {
      this.presence
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
    };
    if (this.leaveDelayMs <= 0) return run();
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      run();
    }, this.leaveDelayMs);
    this.pending.set(timer, run);
  }

  members(org: string, channel: string): Promise<PresenceMember[]> {
    return this.presence.members(org, channel);
  }

  /** Runs pending leaves now (shutdown). */
  close(): void {
    for (const [timer, run] of this.pending) {
      clearTimeout(timer);
      run();
    }
    this.pending.clear();
  }
}
