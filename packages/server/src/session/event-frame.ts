import type { JsonValue, WireEvent } from '@hubcast/protocol';
import type { LogEvent } from '../log/log.js';

/**
 * The `event` push as JSON text, built once per event and shared by every recipient (STYLE
 * rule 11). `dataJson` is spliced in as-is: the payload is never parsed or re-serialized.
 */
export function encodeEventFrame(event: LogEvent): Buffer {
  const from = event.from === undefined ? '' : `,"from":${JSON.stringify(event.from)}`;
  return Buffer.from(
    `{"type":"event","channel":${JSON.stringify(event.channel)},"event_id":${JSON.stringify(event.eventId)},` +
      `"cursor":${JSON.stringify(event.cursor)},"ts":"${new Date(event.tsMs).toISOString()}",` +
      `"data":${event.dataJson}${from}}`,
  );
}

/** The same event as an object for `history` replies. */
export function toWireEvent(event: LogEvent): WireEvent {
  return {
    event_id: event.eventId,
    channel: event.channel,
    data: JSON.parse(event.dataJson) as JsonValue,
    ts: new Date(event.tsMs).toISOString(),
    cursor: event.cursor,
    ...(event.from === undefined ? {} : { from: event.from }),
  };
}
