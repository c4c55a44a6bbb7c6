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

export interface ReadRange {
  /** Events with seq greater than this. */
  afterSeq?: number;
  /** Events with seq smaller than this. */
  beforeSeq?: number;
  /** Keep only events whose channel passes. */
  filter?: (channel: string) => boolean;
  limit: number;
  /** `newest` returns the last `limit` matching events (still oldest first). */
  from: 'oldest' | 'newest';
}

export interface ReadResult {
  events: LogEvent[];
  /** More matching events exist beyond the limit in the read direction. */
  more: boolean;
}

export interface EventLog {
  append(org: string, items: readonly AppendInput[]): Promise<AppendResult[]>;
  read(org: string, range: ReadRange): Promise<ReadResult>;
  /** The seq of the newest event (0 on an empty log). */
  headSeq(org: string): Promise<number>;
  /** The smallest seq still retained, or head + 1 when nothing is. */
  firstSeq(org: string): Promise<number>;
  cursorOf(org: string, seq: number): string;
  position(org: string, cursor: string): number | undefined;
  /** Resolves when the log can take appends; rejects with an `EngineUnavailableError` saying why. */
  check(): Promise<void>;
  close(): Promise<void>;
}
