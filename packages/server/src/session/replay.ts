/**
 * Resume (PROTOCOL.md §2 guarantee 2): send the events after a cursor that match the given
 * subscriptions, in log order, then let the subscriptions go live from the head. The caller
 * has already put the subscriptions in the hub with the session buffering, so an event
 * appended during the read is either read here (seq <= head) or delivered live (seq > head),
 * never both and never neither.
 */
import { CLOSE_CODES, chatRoomOf, matchPattern } from '@hubcast/protocol';
import { canReceive } from '../auth/grants.js';
import { HISTORY_SCAN_ROWS } from '../log/read-history.js';
import { encodeEventFrame } from './event-frame.js';
import type { Session, Subscription } from './session.js';

const PAGE = 1000;

export interface ReplayResult {
  resumed: boolean;
  headSeq: number;
}

export async function replayMissed(
  session: Session,
  subs: readonly Subscription[],
  cursor: string | undefined,
  alsoRequire: (channel: string) => boolean,
): Promise<ReplayResult> {
  const { log } = session.ctx;
  const org = session.org;
  const headSeq = await log.headSeq(org);
  session.ctx.noteHead(org, headSeq);
  for (const sub of subs) sub.fromSeq = headSeq;
  if (cursor === undefined) return { resumed: false, headSeq };
  const position = await log.position(org, cursor);
  if (position === undefined || position < (await log.firstSeq(org)) - 1)
    return { resumed: false, headSeq };
  // Within retention, and no pattern to match: nothing was missed.
  if (subs.length === 0) return { resumed: true, headSeq };

  const user = session.user;
  // The log tests the patterns (in SQL where it can); the rest is for JS.
  const patterns = subs.map((s) => s.pattern);
  // A room's events only through a subscription gated by that room (docs/chat.md).
  const receivable = (channel: string): boolean =>
    chatRoomOf(channel) === undefined
      ? canReceive(user, channel)
      : subs.some((s) => matchPattern(s.pattern, channel) && canReceive(user, channel, s.room));
  const filter = (channel: string): boolean => receivable(channel) && alsoRequire(channel);
  let after = position;
  const halfQueue = session.ctx.config.maxQueueBytes / 2;
  for (;;) {
    const page = await log.read(org, {
      afterSeq: after,
      beforeSeq: headSeq + 1,
      patterns,
      filter,
      limit: PAGE,
      from: 'oldest',
      // Bounds each read, so a resume over a sparse log never blocks the loop for long, and
      // a page of large events never holds more in memory than the queue would send.
      maxScan: HISTORY_SCAN_ROWS,
      maxBytes: halfQueue,
    });
    if (session.state === 'closed') return { resumed: true, headSeq };
    // While this replay waited for the socket, events after `after` may have left retention:
    // the client can no longer get them all. 4001 sends it back with its cursor, and that
    // connect answers `resumed: false`, so it refetches instead of silently missing events.
    if ((await log.firstSeq(org)) > after + 1) {
      session.close(CLOSE_CODES.slowConsumer.code, 'events left retention during resume');
      return { resumed: true, headSeq };
    }
    for (const event of page.events) {
      session.enqueue(encodeEventFrame(event));
      // Hand the socket what is queued and let it drain before the queue nears its bound, so
      // a long replay to a slow reader waits instead of being closed as a slow consumer.
      if (session.queuedBytes > halfQueue) {
        session.flush();
        await session.whenWritable();
        if (session.isClosed()) return { resumed: true, headSeq };
      }
    }
    if (!page.more || page.scannedTo === undefined) break;
    after = page.scannedTo;
  }
  return { resumed: true, headSeq };
}
