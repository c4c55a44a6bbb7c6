/**
 * `durable`'s exactly-once check: reads a channel's whole history back through hubcast's
 * `GET /api/history` (newest page first, then `before` the oldest event of each page) and
 * compares the stamps in the log with the publishes that were acknowledged. An acknowledged
 * publish is in the log (PROTOCOL.md §2.3), once.
 */
import { Agent } from 'node:http';
import { HISTORY_LIMIT_MAX } from '@hubcast/protocol';
import { httpCall } from './http-call.js';
import { scanStamps } from './payload.js';
import { SeqBitset } from './seq-bitset.js';

const REQUEST_TIMEOUT_MS = 30_000;

export interface HistoryAudit {
  /** Events read back. */
  events: number;
  /** Acknowledged publishes missing from the log, and events in it more than once. */
  lost: number;
  duplicated: number;
}

export interface HistoryAuditOptions {
  host: string;
  port: number;
  apiKey: string;
  org: string;
  channel: string;
  acked: SeqBitset;
  lastSeq: number;
}

export async function auditHistory(o: HistoryAuditOptions): Promise<HistoryAudit> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const inLog = new SeqBitset(1024);
  let events = 0;
  const sink = { onStamp: (seq: number): void => void inLog.record(seq) };
  try {
    let before: string | undefined;
    for (;;) {
      const query = new URLSearchParams({
        org: o.org,
        channel: o.channel,
        limit: String(HISTORY_LIMIT_MAX),
        ...(before === undefined ? {} : { before }),
      });
      const { status, text } = await httpCall({
        host: o.host,
        port: o.port,
        agent,
        method: 'GET',
        path: `/api/history?${query.toString()}`,
        headers: { authorization: `Bearer ${o.apiKey}` },
        timeoutMs: REQUEST_TIMEOUT_MS,
        keepBytes: Number.POSITIVE_INFINITY,
      });
      if (status !== 200) throw new Error(`history answered ${status}: ${text.slice(0, 300)}`);
      const page = JSON.parse(text) as { events: { cursor: string }[]; more: boolean };
      events += page.events.length;
      scanStamps(text, sink);
      const oldest = page.events[0];
      if (!page.more || oldest === undefined) break;
      before = oldest.cursor;
    }
  } finally {
    agent.destroy();
  }
  let lost = 0;
  for (let s = 1; s <= o.lastSeq; s++) if (o.acked.has(s) && !inLog.has(s)) lost++;
  return { events, lost, duplicated: inLog.duplicates };
}
