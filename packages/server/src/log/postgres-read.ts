/**
 * Reads of the PostgreSQL log (log/postgres.ts): the read's window is scanned page by page on
 * the primary key with the patterns tested by the database, fetching seq, channel and the
 * payload's byte length (`octet_length` reads a TOASTed value's header, not the value); then
 * one query loads the payloads of the events picked.
 */
import type { LogEvent, ReadRange, ReadResult } from './log.js';
import { toEvent, type EventRow, type Queryable } from './postgres-group.js';
import { consecutiveRuns, PagePicker, type ScanWindow } from './read-page.js';
import { postgresPatternPredicate } from './sql-pattern.js';

/** Scan rows fetched per round trip when the JS filter may drop many of them. */
const FILTERED_PAGE_ROWS = 500;

interface ScanRow {
  seq: number;
  channel: string;
  dataBytes: number;
}

export interface SqlQuery {
  text: string;
  values: unknown[];
}

/** One page of a read's scan: the rows of `lo..hi` that pass the patterns, in read order. */
export function scanQuery(
  org: string,
  range: Pick<ReadRange, 'patterns' | 'from'>,
  lo: number,
  hi: number,
  pageRows: number,
): SqlQuery {
  const predicate =
    range.patterns === undefined
      ? { sql: 'true', params: [] }
      : postgresPatternPredicate(range.patterns, 5);
  return {
    text:
      'SELECT seq, channel, octet_length(data) AS data_bytes FROM log_events ' +
      `WHERE org = $1 AND seq BETWEEN $2 AND $3 AND ${predicate.sql} ` +
      `ORDER BY seq ${range.from === 'oldest' ? 'ASC' : 'DESC'} LIMIT $4`,
    values: [org, lo, hi, pageRows, ...predicate.params],
  };
}

export async function readPostgres(
  db: Queryable,
  org: string,
  range: ReadRange,
  window: ScanWindow,
  epoch: string,
): Promise<ReadResult> {
  const ascending = range.from === 'oldest';
  const picker = new PagePicker<ScanRow>(range, (row) => row.dataBytes);
  const pageRows =
    range.filter === undefined ? range.limit + 1 : Math.max(range.limit + 1, FILTERED_PAGE_ROWS);
  let { lo, hi } = window;
  pages: while (lo <= hi) {
    const { text, values } = scanQuery(org, range, lo, hi, pageRows);
    const { rows } = await db.query<{ seq: string; channel: string; data_bytes: number }>(
      text,
      values,
    );
    for (const row of rows) {
      const scanned = { seq: Number(row.seq), channel: row.channel, dataBytes: row.data_bytes };
      if (!picker.offer(scanned)) break pages;
    }
    const last = rows.at(-1);
    if (rows.length < pageRows || last === undefined) break;
    if (ascending) lo = Number(last.seq) + 1;
    else hi = Number(last.seq) - 1;
  }
  const { rows: picked, ...rest } = picker.page(window);
  const events = await loadEvents(
    db,
    org,
    picked.map((row) => row.seq),
    epoch,
  );
  if (!ascending) events.reverse();
  return { events, ...rest };
}

/**
 * The events of `seqs`, in that order, read by runs of consecutive seqs (a dense page is one
 * range on the key; `seq = ANY(...)` took twice as long). One that a commit's retention
 * deleted since the scan is left out: it is out of the log now, as if the read came later.
 */
async function loadEvents(
  db: Queryable,
  org: string,
  seqs: readonly number[],
  epoch: string,
): Promise<LogEvent[]> {
  if (seqs.length === 0) return [];
  const runs = consecutiveRuns(seqs);
  const { rows } = await db.query<EventRow>(
    `SELECT e.org, e.seq, e.channel, e.data, e.ts, e.from_user
     FROM unnest($2::bigint[], $3::bigint[]) AS r (lo, hi)
     JOIN log_events e ON e.org = $1 AND e.seq BETWEEN r.lo AND r.hi`,
    [org, runs.map((r) => r.lo), runs.map((r) => r.hi)],
  );
  const bySeq = new Map(rows.map((row) => [Number(row.seq), row]));
  const events: LogEvent[] = [];
  for (const seq of seqs) {
    const row = bySeq.get(seq);
    if (row !== undefined) events.push(toEvent(row, epoch));
  }
  return events;
}
