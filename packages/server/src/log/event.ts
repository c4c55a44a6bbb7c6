/** How every log makes an event: its id and cursor come from the org's epoch and its seq. */
import { badRequest, type HubcastError } from '@hubcast/protocol';
import type { AppendInput, LogEvent } from './log.js';
import { encodeCursor } from './cursor.js';

/**
 * Every item's data as JSON text, before the append takes any seq: an item that cannot be
 * serialized (nested past what JSON.stringify's recursion takes) is refused whole and never
 * leaves a seq behind. The API and the session bound nesting first; this is the log's own guard.
 */
export function serializeData(items: readonly AppendInput[]): string[] | HubcastError {
  try {
    return items.map((i) => JSON.stringify(i.data ?? null));
  } catch (err) {
    return badRequest('data cannot be serialized', { cause: err });
  }
}

/** Unique per org, and never reused after a wipe (the epoch changes with the log). */
export function eventIdOf(orgEpochHex: string, seq: number): string {
  return `${orgEpochHex.slice(0, 6)}${seq.toString(36).padStart(6, '0')}`;
}

export function newEvent(
  org: string,
  orgEpochHex: string,
  seq: number,
  item: AppendInput,
  tsMs: number,
  /** The item's data from `serializeData`. */
  dataJson: string,
): LogEvent {
  return {
    org,
    seq,
    eventId: eventIdOf(orgEpochHex, seq),
    channel: item.channel,
    dataJson,
    tsMs,
    cursor: encodeCursor(orgEpochHex, seq),
    ...(item.from === undefined ? {} : { from: item.from }),
  };
}
