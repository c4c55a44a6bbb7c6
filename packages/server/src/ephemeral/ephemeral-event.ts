/**
 * Ephemeral events (docs/ephemeral.md): fanned out live to whoever is subscribed now, never
 * logged, never replayed, with no seq and no cursor. They take their own broker message kind, so
 * the log-order bookkeeping of logged events (fanout/log-order.ts) never sees them.
 */
import { matchPattern } from '@hubcast/protocol';

export interface EphemeralEvent {
  org: string;
  channel: string;
  /** Unique per tenant: `~`, the publishing node's id and a counter (a log's ids have no `~`). */
  eventId: string;
  /** Receive time, Unix ms. */
  tsMs: number;
  /** JSON text of the payload. */
  dataJson: string;
  /** The publishing user, for a client's publish or a service acting for one. */
  from?: string;
}

/**
 * The `event` push of an ephemeral event as JSON text, built once per event and shared by every
 * recipient (STYLE rule 11): `ephemeral: true` and no `cursor`.
 */
export function encodeEphemeralFrame(event: EphemeralEvent): Buffer {
  const from = event.from === undefined ? '' : `,"from":${JSON.stringify(event.from)}`;
  return Buffer.from(
    `{"type":"event","channel":${JSON.stringify(event.channel)},"event_id":${JSON.stringify(event.eventId)},` +
      `"ephemeral":true,"ts":"${new Date(event.tsMs).toISOString()}","data":${event.dataJson}${from}}`,
  );
}

/** Whether `channel` is matched by one of `patterns` (config lists are short: a scan). */
export function matchesAny(patterns: readonly string[], channel: string): boolean {
  for (const p of patterns) if (matchPattern(p, channel)) return true;
  return false;
}
