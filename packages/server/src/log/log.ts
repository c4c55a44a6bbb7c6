/**
 * The tenant's ordered, retained event log (PROTOCOL.md §1 cursor and retention, §2).
 *
 * Contract:
 * - All events of one org form one sequence; `seq` starts at 1 and grows by 1 per event.
 *   `append` resolves only once the events are in the log (durably, where the log is durable).
 * - Appends of one org are ordered: the order of `append` calls is log order, and items of
 *   one call keep their order.
 * - A `key` seen within retention returns the first event with `duplicate: true`.
 * - Cursors are opaque strings from `cursorOf`; `position` maps one back to a seq, or
 *   `undefined` when it cannot be placed in this org's log (garbage, another org, another
 *   epoch).
 */
import type { JsonValue } from '@hubcast/protocol';

/** One event in the log. `data` is kept as its JSON text so fan-out never re-serializes it. */
export interface LogEvent {
  org: string;
  seq: number;
  eventId: string;
  channel: string;
  /** JSON text of the payload. */
  dataJson: string;
  /** Receive time, Unix ms. */
  tsMs: number;
  cursor: string;
  from?: string;
}

export interface AppendInput {
  channel: string;
  data: JsonValue;
  key?: string;
  from?: string;
}

export interface AppendResult {
  event: LogEvent;
  duplicate: boolean;
}

/**
 * One read of an org's retained log: the events with `afterSeq < seq < beforeSeq` that pass
 * `patterns` and `filter`, examined from the end `from` names, at most `limit` of them.
 *
 * Bounds (the `history` command and resume read with them, issue 10):
 * - `maxScan` caps the rows examined: the read looks at no more than that many retained events
 *   of the range, counted from the end it starts at, whether they match or not. Retained seqs
 *   have no gaps, so this is a seq window the log can hand to an index range scan.
 * - `maxBytes` caps the page: an event is added only while the sum of `eventPageBytes`
 *   (read-page.ts: an upper bound of an event's JSON in a `history` reply) of the events
 *   returned stays within it, except the read's first match, which is always returned (a read
 *   always moves forward, however large one event is).
 * A read stopped by either, or by `limit`, says so with `more` and where to go on in
 * `scannedTo`.
 */
export interface ReadRange {
  /** Events with seq greater than this. */
  afterSeq?: number;
  /** Events with seq smaller than this. */
  beforeSeq?: number;
  /**
   * Keep only events whose channel matches one of these patterns (PROTOCOL.md §1; none
   * matches nothing). A log may test them in its database, so rows that fail never reach JS.
   */
  patterns?: readonly string[];
  /** Keep only events whose channel passes; applied after `patterns`, in JS. */
  filter?: (channel: string) => boolean;
  /** At least 1, so that a read that stops early has always moved on. */
  limit: number;
  /** `newest` returns the last `limit` matching events (still oldest first). */
  from: 'oldest' | 'newest';
  /** At most this many retained events of the range are examined (default: all of them). */
  maxScan?: number;
  /** At most this many `eventPageBytes` per page, the first event excepted (default: no cap). */
  maxBytes?: number;
}

export interface ReadResult {
  /** Oldest first, whichever end the read started at. */
  events: LogEvent[];
  /**
   * The read stopped before the end of the range: it found a match beyond `limit` or beyond
   * `maxBytes`, or `maxScan` ended it (then further matches may or may not exist).
   */
  more: boolean;
  /**
   * Present exactly when `more`: where the next read of the same range goes on. Every event
   * from the read's starting end through `scannedTo` was returned or did not match, and
   * none after it (in the read direction) was returned; reading again with `afterSeq:
   * scannedTo` (`from: 'oldest'`) or `beforeSeq: scannedTo` (`from: 'newest'`) returns the
   * matches this read left, so paging returns each match exactly once, in order, whether a
   * page holds events or none. It is a seq of the retained range, so `cursorOf` of it places.
   */
  scannedTo?: number;
}

export interface EventLog {
  append(org: string, items: readonly AppendInput[]): Promise<AppendResult[]>;
  read(org: string, range: ReadRange): Promise<ReadResult>;
  /** The seq of the newest event (0 on an empty log). */
  headSeq(org: string): Promise<number>;
  /** The smallest seq still retained, or head + 1 when nothing is. */
  firstSeq(org: string): Promise<number>;
  cursorOf(org: string, seq: number): string;
  /**
   * Async because a shared log must ask its engine: a cursor another node handed out may lie
   * beyond what this node has seen, and the epoch may have changed there (issue 11).
   */
  position(org: string, cursor: string): Promise<number | undefined>;
  /** Resolves when the log can take appends; rejects with an `EngineUnavailableError` saying why. */
  check(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A log whose append also hands the new events to every node, in the same atomic step (the
 * Redis log's script publishes them): the broker then carries only what the log sent, in log
 * order, and the node must not publish the events again.
 */
export interface BroadcastingLog extends EventLog {
  /** `append`, broadcasting the new events; `skipSession` gets no echo of them. */
  appendAndBroadcast(
    org: string,
    items: readonly AppendInput[],
    skipSession?: string,
  ): Promise<AppendResult[]>;
}

export function isBroadcastingLog(log: EventLog): log is BroadcastingLog {
  return typeof (log as Partial<BroadcastingLog>).appendAndBroadcast === 'function';
}
