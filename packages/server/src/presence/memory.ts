import type { PresenceMember } from '@hubcast/protocol';
import { groupMembers, pageOfMembers } from './members.js';
import type { MemberPage, Presence, PresenceEntry } from './presence.js';

interface ChannelPresence {
  sessions: Map<string, PresenceEntry>;
  /** Connections per user, to tell a user's first and last connection. */
  users: Map<string, number>;
}

/**
 * Presence for one node. Two flat maps per channel rather than a map per user: with one
 * connection per user (the common case) that is the difference between two map entries and a
 * whole Map object per connection.
 */
export class MemoryPresence implements Presence {
  private readonly channels = new Map<string, ChannelPresence>();

  add(
    org: string,
    channel: string,
    session: string,
    entry: PresenceEntry,
  ): Promise<{ firstForUser: boolean }> {
    const k = `${org}\0${channel}`;
    let c = this.channels.get(k);
    if (c === undefined) this.channels.set(k, (c = { sessions: new Map(), users: new Map() }));
    if (c.sessions.has(session)) {
      c.sessions.set(session, entry);
      return Promise.resolve({ firstForUser: false });
    }
    c.sessions.set(session, entry);
    const before = c.users.get(entry.user) ?? 0;
    c.users.set(entry.user, before + 1);
    return Promise.resolve({ firstForUser: before === 0 });
  }

  remove(
    org: string,
    channel: string,
    session: string,
  ): Promise<{ lastForUser: boolean; user?: string }> {
    const k = `${org}\0${channel}`;
    const c = this.channels.get(k);
    const entry = c?.sessions.get(session);
    if (c === undefined || entry === undefined) return Promise.resolve({ lastForUser: false });
    c.sessions.delete(session);
    const left = (c.users.get(entry.user) ?? 1) - 1;
    if (left > 0) c.users.set(entry.user, left);
    else c.users.delete(entry.user);
    if (c.sessions.size === 0) this.channels.delete(k);
    return Promise.resolve({ lastForUser: left === 0, user: entry.user });
  }

  update(org: string, channel: string, session: string, entry: PresenceEntry): Promise<boolean> {
    const c = this.channels.get(`${org}\0${channel}`);
    const held = c?.sessions.get(session);
    // The same user only: an entry never moves a connection count to another user.
    if (c === undefined || held === undefined || held.user !== entry.user)
      return Promise.resolve(false);
    c.sessions.set(session, entry);
    return Promise.resolve(true);
  }

  membersPage(org: string, channel: string, limit: number): Promise<MemberPage> {
    const c = this.channels.get(`${org}\0${channel}`);
    return Promise.resolve(pageOfMembers(c?.sessions.values() ?? [], limit));
  }

  members(org: string, channel: string): Promise<PresenceMember[]> {
    const c = this.channels.get(`${org}\0${channel}`);
    return Promise.resolve(groupMembers(c?.sessions.values() ?? []));
  }

  close(): Promise<void> {
    this.channels.clear();
    return Promise.resolve();
  }
}
