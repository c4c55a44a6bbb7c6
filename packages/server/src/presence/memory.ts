import type { PresenceMember } from '@hubcast/protocol';
import type { Presence, PresenceEntry } from './presence.js';

/** Presence for one node, in maps: channel → user → sessions. */
export class MemoryPresence implements Presence {
  private readonly channels = new Map<string, Map<string, Map<string, PresenceEntry>>>();

  add(
    org: string,
    channel: string,
    session: string,
    entry: PresenceEntry,
  ): Promise<{ firstForUser: boolean }> {
    const k = `${org}\0${channel}`;
    let users = this.channels.get(k);
    if (users === undefined)
      this.channels.set(k, (users = new Map<string, Map<string, PresenceEntry>>()));
    let sessions = users.get(entry.user);
    const firstForUser = sessions === undefined || sessions.size === 0;
    if (sessions === undefined)
      users.set(entry.user, (sessions = new Map<string, PresenceEntry>()));
    sessions.set(session, entry);
    return Promise.resolve({ firstForUser });
  }

  remove(
    org: string,
    channel: string,
    session: string,
  ): Promise<{ lastForUser: boolean; user?: string }> {
    const k = `${org}\0${channel}`;
    const users = this.channels.get(k);
    if (users === undefined) return Promise.resolve({ lastForUser: false });
    for (const [user, sessions] of users) {
      if (!sessions.delete(session)) continue;
      if (sessions.size > 0) return Promise.resolve({ lastForUser: false, user });
      users.delete(user);
      if (users.size === 0) this.channels.delete(k);
      return Promise.resolve({ lastForUser: true, user });
    }
    return Promise.resolve({ lastForUser: false });
  }

  members(org: string, channel: string): Promise<PresenceMember[]> {
    const users = this.channels.get(`${org}\0${channel}`);
    const out: PresenceMember[] = [];
    for (const [user, sessions] of users ?? []) {
      const devices = new Set<string>();
      let info: PresenceEntry['info'];
      for (const e of sessions.values()) {
        if (e.device !== undefined) devices.add(e.device);
        if (e.info !== undefined) info = e.info;
      }
      out.push({
        user,
        ...(info === undefined ? {} : { info }),
        connections: sessions.size,
        devices: [...devices],
      });
    }
    return Promise.resolve(out);
  }

  close(): Promise<void> {
    this.channels.clear();
    return Promise.resolve();
  }
}
