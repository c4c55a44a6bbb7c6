/**
 * Chat rooms are gated by membership (docs/chat.md), as personal channels are by owner: a
 * subscription, `history` or `presence` on `chat.<room>` (or a pattern under it) needs the
 * token's grant (auth/grants.ts) and a membership, looked up in the chat store once per call.
 * A member who leaves or is removed loses their subscriptions to the room on every node when
 * the `chat.member_left` event is delivered (fanout/member-left.ts).
 *
 * Why the event and not a cluster message like /api/disconnect's: the event sits in the log
 * at the very point the membership ended, and every node delivers the log in order, filling
 * what its broker lost (fanout/log-order.ts). So a node ends the subscriptions exactly between
 * the last event the member may see and the first they may not, even for events of one append
 * or a broker that dropped messages; a cluster message would race the events and be lost with
 * them.
 */
import { forbidden } from '@hubcast/protocol';
import type { Session, Subscription } from './session.js';

/** Refuses with `forbidden` unless the session's user is a member of `room`. */
export async function requireRoomMember(session: Session, room: string): Promise<void> {
  if (!(await session.ctx.isChatMember(session.org, room, session.user)))
    throw forbidden(`not a member of room '${room}'`);
}

/**
 * Checks the rooms of subscriptions already in the hub (while the session buffers live events,
 * so nothing reached the client yet) and answers those refused. The lookups come after the hub
 * entry on purpose: a removal that commits after a lookup said "member" appends its
 * `chat.member_left` after that, which then finds the subscription and ends it.
 */
export async function refusedRooms(
  session: Session,
  subs: readonly Subscription[],
): Promise<Set<Subscription>> {
  const refused = new Set<Subscription>();
  await Promise.all(
    subs.map(async (sub) => {
      if (sub.room === undefined) return;
      if (!(await session.ctx.isChatMember(session.org, sub.room, session.user))) refused.add(sub);
    }),
  );
  // Ended by a leave while the lookups ran (endRoomSubscriptions): refused as well.
  for (const sub of subs) if (session.subscriptions.get(sub.pattern) !== sub) refused.add(sub);
  return refused;
}

/**
 * Ends every subscription of `user`'s live connections (of `org`) to `room`, each with an
 * `unsubscribed` push (`reason: "forbidden"`), as a refresh that lost a grant does. Leaves are
 * rare, so this scans the node's sessions, as /api/disconnect does.
 */
export function endRoomSubscriptions(
  sessions: Iterable<Session>,
  org: string,
  room: string,
  user: string,
): void {
  for (const s of sessions) {
    if (s.org !== org || s.user !== user || s.isClosed()) continue;
    for (const sub of [...s.subscriptions.values()]) {
      if (sub.room !== room) continue;
      s.subscriptions.delete(sub.pattern);
      s.dropSubscription(sub);
      // A subscription still being checked was never confirmed: its command answers forbidden.
      if (sub.fromSeq !== Number.MAX_SAFE_INTEGER)
        s.push({ type: 'unsubscribed', channel: sub.pattern, reason: 'forbidden' });
    }
  }
}
