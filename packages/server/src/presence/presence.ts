/**
 * Who is connected to which channel, across devices (PROTOCOL.md §4 presence).
 *
 * Contract: entries are keyed by (org, channel, session). `add` reports whether the session is
 * the user's first on that channel, `remove` whether it was the last; both are atomic per
 * (org, channel) so two nodes cannot both see "first" for one user.
 */
import type { JsonValue, PresenceMember } from '@hubcast/protocol';

export interface PresenceEntry {
  user: string;
  info?: JsonValue;
  device?: string;
}

export interface Presence {
  add(
    org: string,
    channel: string,
    session: string,
    entry: PresenceEntry,
  ): Promise<{ firstForUser: boolean }>;
  remove(
    org: string,
    channel: string,
    session: string,
  ): Promise<{ lastForUser: boolean; user?: string }>;
  members(org: string, channel: string): Promise<PresenceMember[]>;
  close(): Promise<void>;
}
