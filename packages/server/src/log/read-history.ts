/**
 * The `history` query of PROTOCOL.md §4, shared by the command and `GET /api/history`: with
 * `after`, the first `limit` events newer than it; with `before`, the last `limit` older; with
 * neither, the newest `limit`. A cursor the log cannot place is a `bad_request`.
 *
 * Its cost is bounded (issue 10): one call examines at most `HISTORY_SCAN_ROWS` log rows and
 * answers at most `maxBytes`. Stopped early by either, or by `limit`, it answers `more` and a
 * `cursor` to go on from (log.ts `ReadResult.scannedTo`), so paging reaches every event of a
 * sparse log, one page of no events after another if need be.
 */
import { badRequest } from '@hubcast/protocol';
import type { EventLog, LogEvent } from './log.js';

/**
 * Rows one call may examine. The default `history-size` (10,000), so a default tenant's whole
 * log is one call; 10,000 rows take about 1 ms to scan on the SQLite index or in memory and
 * about 5 ms in PostgreSQL, so a client at the default rate limit (100 commands a second)
 * costs a tenth of the event loop at most, and a larger `history-size` costs more calls, not
 * longer ones.
 */
export const HISTORY_SCAN_ROWS = 10_000;

/**
 * The most a reply adds around its events' `eventPageBytes`: `{"type":"history","events":[],
 * "more":false,"cursor":"<22>","id":<16 digits>}` is 99 bytes; the HTTP body is smaller.
 */
export const HISTORY_ENVELOPE_BYTES = 128;

export interface HistoryQuery {
  pattern: string;
  after?: string | undefined;
  before?: string | undefined;
  limit: number;
  /** Extra visibility rule (personal channels of other users, for a connection). */
  canSee?: (channel: string) => boolean;
  /**
   * The most the answer may take, envelope included; a single event larger than that still
   * comes, alone, so paging always moves on.
   */
  maxBytes: number;
}

export interface HistoryPage {
  events: LogEvent[];
  more: boolean;
  /** Exactly when `more`: pass it as `after` when the query had `after`, else as `before`. */
  cursor?: string;
}

export async function readHistory(
  log: EventLog,
  org: string,
  q: HistoryQuery,
): Promise<HistoryPage> {
  const place = async (cursor: string | undefined): Promise<number | undefined> => {
    if (cursor === undefined) return undefined;
    const seq = await log.position(org, cursor);
    if (seq === undefined) throw badRequest('cursor cannot be placed in this log');
    return seq;
  };
  const afterSeq = await place(q.after);
  const beforeSeq = await place(q.before);
  const result = await log.read(org, {
    ...(afterSeq === undefined ? {} : { afterSeq }),
    ...(beforeSeq === undefined ? {} : { beforeSeq }),
    patterns: [q.pattern],
    ...(q.canSee === undefined ? {} : { filter: q.canSee }),
    limit: q.limit,
    from: q.after === undefined ? 'newest' : 'oldest',
    maxScan: HISTORY_SCAN_ROWS,
    maxBytes: Math.max(1, q.maxBytes - HISTORY_ENVELOPE_BYTES),
  });
  const { events, more, scannedTo } = result;
  if (!more || scannedTo === undefined) return { events, more: false };
  return { events, more, cursor: log.cursorOf(org, scannedTo) };
}
