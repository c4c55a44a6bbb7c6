/**
 * The `history` query of PROTOCOL.md §4, shared by the command and `GET /api/history`: with
 * `after`, the first `limit` events newer than it; with `before`, the last `limit` older; with
 * neither, the newest `limit`. A cursor the log cannot place is a `bad_request`.
 */
import { badRequest, matchPattern } from '@hubcast/protocol';
import type { EventLog, ReadResult } from './log.js';

export interface HistoryQuery {
  pattern: string;
  after?: string | undefined;
  before?: string | undefined;
  limit: number;
  /** Extra visibility rule (personal channels of other users, for a connection). */
  canSee?: (channel: string) => boolean;
}

export function readHistory(log: EventLog, org: string, q: HistoryQuery): Promise<ReadResult> {
  const place = (cursor: string): number => {
    const seq = log.position(org, cursor);
    if (seq === undefined) throw badRequest('cursor cannot be placed in this log');
    return seq;
  };
  const { pattern, canSee } = q;
  return log.read(org, {
    ...(q.after === undefined ? {} : { afterSeq: place(q.after) }),
    ...(q.before === undefined ? {} : { beforeSeq: place(q.before) }),
    filter:
      canSee === undefined
        ? (channel) => matchPattern(pattern, channel)
        : (channel) => canSee(channel) && matchPattern(pattern, channel),
    limit: q.limit,
    from: q.after === undefined ? 'newest' : 'oldest',
  });
}
