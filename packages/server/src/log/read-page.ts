/**
 * The rules of one `EventLog.read` that every log shares (log.ts `ReadRange`): which seqs it
 * may examine, and which of the rows it examined make the page. A log only walks its rows in
 * read order and feeds them to a `PagePicker`, so the three logs cannot disagree on `more`,
 * `scannedTo` or where a byte budget cuts.
 */
import { matchPattern } from '@hubcast/protocol';
import type { ReadRange } from './log.js';

/**
 * The most one event adds to a page besides its data and channel: the `toWireEvent` JSON
 * around them (keys, quotes, braces and the comma between events: 67 bytes), an event id (17),
 * a timestamp (27, years past 9999 included), a cursor (22) and `from` (a user id: 64
 * characters of `[A-Za-z0-9_\-:@=+]`), rounded up. Channels need no escaping either.
 */
export const EVENT_FIXED_BYTES = 256;

/** An upper bound of an event's bytes in a `history` page, from what a scan reads cheaply. */
export function eventPageBytes(dataBytes: number, channel: string): number {
  return EVENT_FIXED_BYTES + dataBytes + channel.length;
}

/** The seqs a read examines, inclusive, and whether `maxScan` cut the range short. */
export interface ScanWindow {
  lo: number;
  hi: number;
  cut: boolean;
}

/**
 * The range within retention (`floor` is the smallest retained seq, `head` the newest), cut to
 * `maxScan` seqs from the end the read starts at; undefined when nothing is in it.
 */
export function scanWindow(range: ReadRange, floor: number, head: number): ScanWindow | undefined {
  const lo = Math.max(floor, (range.afterSeq ?? 0) + 1);
  const hi = Math.min(head, (range.beforeSeq ?? Number.MAX_SAFE_INTEGER) - 1);
  if (lo > hi) return undefined;
  const maxScan = range.maxScan ?? Number.MAX_SAFE_INTEGER;
  if (hi - lo + 1 <= maxScan) return { lo, hi, cut: false };
  return range.from === 'oldest'
    ? { lo, hi: lo + maxScan - 1, cut: true }
    : { lo: hi - maxScan + 1, hi, cut: true };
}

export interface PickedPage<R> {
  /** In read order: newest first for `from: 'newest'`. */
  rows: R[];
  more: boolean;
  scannedTo?: number;
}

/** Picks a read's events from the rows of its window, offered in read order. */
export class PagePicker<R extends { seq: number; channel: string }> {
  private readonly rows: R[] = [];
  private bytes = 0;
  /** The first match left out (past `limit` or `maxBytes`): the read ends before it. */
  private stoppedAt: number | undefined;

  constructor(
    private readonly range: ReadRange,
    private readonly dataBytesOf: (row: R) => number,
  ) {}

  /** Does the row's channel pass the read's patterns and filter? */
  matches(channel: string): boolean {
    const { patterns, filter } = this.range;
    if (patterns !== undefined && !patterns.some((p) => matchPattern(p, channel))) return false;
    return filter === undefined || filter(channel);
  }

  /** Takes the next row; false once the page is complete and the scan should stop. */
  offer(row: R): boolean {
    return !this.matches(row.channel) || this.offerMatch(row);
  }

  /** `offer` for a row known to match. */
  offerMatch(row: R): boolean {
    const { limit, maxBytes } = this.range;
    if (this.rows.length === limit) return this.stop(row);
    if (maxBytes !== undefined) {
      const cost = eventPageBytes(this.dataBytesOf(row), row.channel);
      if (this.rows.length > 0 && this.bytes + cost > maxBytes) return this.stop(row);
      this.bytes += cost;
    }
    this.rows.push(row);
    return true;
  }

  private stop(row: R): false {
    this.stoppedAt = row.seq;
    return false;
  }

  /** The page, once the scan stopped or went through `window`. */
  page(window: ScanWindow): PickedPage<R> {
    const oldest = this.range.from === 'oldest';
    if (this.stoppedAt !== undefined) {
      // Everything before the left-out match was returned or did not match.
      return {
        rows: this.rows,
        more: true,
        scannedTo: oldest ? this.stoppedAt - 1 : this.stoppedAt + 1,
      };
    }
    if (window.cut)
      return { rows: this.rows, more: true, scannedTo: oldest ? window.hi : window.lo };
    return { rows: this.rows, more: false };
  }
}

/**
 * `seqs` (ascending or descending, as a read met them) as runs of consecutive seqs, in the same
 * order: a log loads a run's payloads with one range read on its key instead of one per event.
 */
export function consecutiveRuns(seqs: readonly number[]): { lo: number; hi: number }[] {
  const runs: { lo: number; hi: number }[] = [];
  let run: { lo: number; hi: number } | undefined;
  let last = Number.NaN;
  for (const seq of seqs) {
    if (run !== undefined && Math.abs(seq - last) === 1) {
      run.lo = Math.min(run.lo, seq);
      run.hi = Math.max(run.hi, seq);
    } else {
      run = { lo: seq, hi: seq };
      runs.push(run);
    }
    last = seq;
  }
  return runs;
}
