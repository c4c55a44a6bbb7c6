/**
 * How an event travels through Redis, in the stream and on the broker: one line
 * `<tsMs>\t<JSON [channel, from?]>\t<data JSON>`. JSON.stringify never writes a raw tab or
 * newline, so tabs split the fields and newlines split lines; the data stays JSON text end to
 * end (never parsed and re-serialized on the fan-out path), and the Lua scripts read the
 * timestamp as the line's leading digits (age retention).
 *
 * A broker message of events, built by the append script: `<first seq>\n<epoch>\n<header
 * JSON>\n<line>\n<line>...`; line i has seq `first + i`. Any other broker message starts with
 * `{` and is JSON.
 */
import type { AppendInput, LogEvent } from '../log/log.js';
import { encodeCursor } from '../log/cursor.js';
import { eventIdOf } from '../log/event.js';

export function encodeEventLine(item: AppendInput, tsMs: number, dataJson: string): string {
  const head = item.from === undefined ? [item.channel] : [item.channel, item.from];
  return `${tsMs}\t${JSON.stringify(head)}\t${dataJson}`;
}

/** The event a line stores; `orgEpochHex` from `OrgEpochs` of the log's epoch. */
export function decodeEventLine(
  org: string,
  orgEpochHex: string,
  seq: number,
  line: string,
): LogEvent {
  const tab1 = line.indexOf('\t');
  const tab2 = line.indexOf('\t', tab1 + 1);
  if (tab1 < 0 || tab2 < 0) throw new Error(`malformed event line at seq ${seq}`);
  const head = JSON.parse(line.slice(tab1 + 1, tab2)) as unknown;
  if (!Array.isArray(head) || typeof head[0] !== 'string')
    throw new Error(`malformed event line at seq ${seq}`);
  const from: unknown = head[1];
  return {
    org,
    seq,
    eventId: eventIdOf(orgEpochHex, seq),
    channel: head[0],
    dataJson: line.slice(tab2 + 1),
    tsMs: Number(line.slice(0, tab1)),
    cursor: encodeCursor(orgEpochHex, seq),
    ...(typeof from === 'string' ? { from } : {}),
  };
}

/** Who sent a broker message of events, and to whom it must not echo. */
export interface EventsHeader {
  org: string;
  /** The publishing node. */
  node: string;
  /** The session that asked not to get its own publish back. */
  skipSession?: string;
}

export function encodeEventsHeader(header: EventsHeader): string {
  return JSON.stringify(
    header.skipSession === undefined
      ? { o: header.org, n: header.node }
      : { o: header.org, n: header.node, k: header.skipSession },
  );
}

export interface DecodedEvents extends EventsHeader {
  /** The log epoch the events were appended under. */
  epoch: string;
  firstSeq: number;
  /** The raw lines, decoded once the receiver knows the org's epoch hash. */
  lines: string[];
}

/** A broker payload of events, or undefined when it is not one (other kinds are JSON). */
export function decodeEventsMessage(payload: string): DecodedEvents | undefined {
  const parts = payload.split('\n');
  if (parts.length < 4) return undefined;
  const firstSeq = Number(parts[0]);
  if (!Number.isSafeInteger(firstSeq) || firstSeq < 1) return undefined;
  const header = JSON.parse(parts[2] as string) as { o?: unknown; n?: unknown; k?: unknown };
  if (typeof header.o !== 'string' || typeof header.n !== 'string') return undefined;
  return {
    org: header.o,
    node: header.n,
    ...(typeof header.k === 'string' ? { skipSession: header.k } : {}),
    epoch: parts[1] as string,
    firstSeq,
    lines: parts.slice(3),
  };
}
