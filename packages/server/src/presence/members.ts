/** The member list of a channel from its entries: one shape for every `Presence`. */
import type { PresenceMember } from '@hubcast/protocol';
import type { PresenceEntry } from './presence.js';

/**
 * Groups entries by user: connections counted, devices distinct, and `info` from the last
 * entry that has one (a user's connections normally carry the same info).
 */
export function groupMembers(entries: Iterable<PresenceEntry>): PresenceMember[] {
  const byUser = new Map<string, { member: PresenceMember; devices: Set<string> }>();
  for (const e of entries) {
    let m = byUser.get(e.user);
    if (m === undefined) {
      m = { member: { user: e.user, connections: 0, devices: [] }, devices: new Set() };
      byUser.set(e.user, m);
    }
    m.member.connections++;
    if (e.device !== undefined) m.devices.add(e.device);
    if (e.info !== undefined) m.member.info = e.info;
  }
  return [...byUser.values()].map(({ member, devices }) => ({ ...member, devices: [...devices] }));
}
