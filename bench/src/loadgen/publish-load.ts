/**
 * `durable`'s load, in the generator's main thread: `publishers` concurrent publishers on one
 * keep-alive agent (one socket each), each posting one 100-byte W1 event to hubcast's
 * `POST /api/publish` and waiting for the answer before the next, for a warm-up and then a
 * measured window. Every acknowledged sequence number is kept, so the log can be audited
 * afterwards (history-audit.ts).
 */
import { Agent } from 'node:http';
import { httpCall } from './http-call.js';
import { eventData, nowMs } from './payload.js';
import type { PublishRoute } from './publisher.js';
import { SampleBuffer } from './sample-buffer.js';
import { SeqBitset } from './seq-bitset.js';

const REQUEST_TIMEOUT_MS = 10_000;
const ERRORS_KEPT = 3;
/** Ack latencies kept per window: a uniform sample past this. */
const SAMPLE_CAP = 1_000_000;

export interface PublishLoadOptions {
  host: string;
  port: number;
  route: PublishRoute;
  channel: string;
  publishers: number;
  /** Publishing before the window opens: JIT, SQLite's page cache and the sockets warm up. */
  warmupMs: number;
  windowMs: number;
}

export interface PublishLoad {
  /** Acknowledgements (2xx) that arrived within the window. */
  acked: number;
  /** Answered with an error status or not at all, over the whole run. */
  errors: number;
  errorTexts: string[];
  windowMs: number;
  /** Request to acknowledgement, ms, within the window. */
  latencyMs: Float64Array;
  /** Every sequence number acknowledged, warm-up and stragglers after the window included. */
  ackedSeqs: SeqBitset;
  /** The highest sequence number sent. */
  lastSeq: number;
}

export async function runPublishLoad(o: PublishLoadOptions): Promise<PublishLoad> {
  const agent = new Agent({ keepAlive: true, maxSockets: o.publishers, timeout: 4000 });
  const ackedSeqs = new SeqBitset(1024);
  const samples = new SampleBuffer(SAMPLE_CAP);
  const errorTexts: string[] = [];
  let seq = 0;
  let acked = 0;
  let errors = 0;
  const opensAt = nowMs() + o.warmupMs;
  const closesAt = opensAt + o.windowMs;
  const note = (text: string): void => {
    errors++;
    if (errorTexts.length < ERRORS_KEPT) errorTexts.push(text);
  };
  const publisher = async (): Promise<void> => {
    while (nowMs() < closesAt) {
      const s = ++seq;
      const sentMs = nowMs();
      try {
        const { status, text } = await httpCall({
          host: o.host,
          port: o.port,
          agent,
          method: 'POST',
          path: o.route.path,
          headers: o.route.headers,
          body: o.route.item(o.channel, eventData(s, sentMs)),
          timeoutMs: REQUEST_TIMEOUT_MS,
        });
        if (status < 200 || status >= 300) {
          note(`${status}: ${text}`);
          continue;
        }
      } catch (err) {
        note((err as Error).message);
        continue;
      }
      ackedSeqs.record(s);
      const ackMs = nowMs();
      if (ackMs >= opensAt && ackMs <= closesAt) {
        acked++;
        samples.add(ackMs - sentMs);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: o.publishers }, publisher));
  } finally {
    agent.destroy();
  }
  return {
    acked,
    errors,
    errorTexts,
    windowMs: o.windowMs,
    latencyMs: samples.take(),
    ackedSeqs,
    lastSeq: seq,
  };
}
