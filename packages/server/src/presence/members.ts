/** The member list of a channel from its entries: one shape for every `Presence`. */
import type { PresenceMember } from '@hubcast/protocol';
import type { MemberPage, PresenceEntry } from './presence.js';

/**
 * Groups entries by user, sorted by user id: connections counted, devices distinct, and `info`
 * from the entry whose info was set last (`infoAtMs`; docs/presence.md "Devices"). An entry
 * without info never hides another's.
 */
export function groupMembers(entries: Iterable<PresenceEntry>): PresenceMember[] {
  const byUser = new Map<
    string,
    { member: PresenceMember; devices: Set<string>; infoAtMs: number }
  >();
  for (const e of entries) {
    let m = byUser.get(e.user);
    if (m === undefined) {
      m = {
        member: { user: e.user, connections: 0, devices: [] },
        devices: new Set(),
        infoAtMs: -Infinity,
      };
      byUser.set(e.user, m);
    }
    m.member.connections++;
    if (e.device !== undefined) m.devices.add(e.device);
    const at = e.infoAtMs ?? 0;
    // `>=`: of entries set at the same ms (or with no time), the last one read wins.
    if (e.info !== undefined && at >= m.infoAtMs) {
      m.member.info = e.info;
      m.infoAtMs = at;
    }
  }
  return [...byUser.values()]
    .map(({ member, devices }) => ({ ...member, devices: [...devices] }))
    .sort((a, b) => compareUserIds(a.user, b.user));
}

/** The first `limit` of the grouped entries, with the count of all. */
export function pageOfMembers(entries: Iterable<PresenceEntry>, limit: number): MemberPage {
  const members = groupMembers(entries);
  return { members: members.slice(0, limit), count: members.length };
}

/**
 * User ids are ASCII (`sub` follows the segment rule), so UTF-16 order is Redis's byte order:
 * the memory and Redis engines list the same members first.
 */
export const compareUserIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
