/** How every log makes an event: its id and cursor come from the org's epoch and its seq. */
import type { AppendInput, LogEvent } from './log.js';
import { encodeCursor } from './cursor.js';

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
): LogEvent {
  return {
    org,
    seq,
    eventId: eventIdOf(orgEpochHex, seq),
    channel: item.channel,
    dataJson: JSON.stringify(item.data ?? null),
    tsMs,
    cursor: encodeCursor(orgEpochHex, seq),
    ...(item.from === undefined ? {} : { from: item.from }),
  };
}
