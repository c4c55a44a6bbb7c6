/**
 * The in-memory log: fast, bounded by retention, lost on restart (its epoch is new each start,
 * so old cursors read as out of retention and clients get `resumed: false`).
 */
import { randomBytes } from 'node:crypto';
import type {
  AppendInput,
  AppendResult,
  EventLog,
  LogEvent,
  ReadRange,
  ReadResult,
} from './log.js';
import { decodeCursor, encodeCursor, orgEpoch } from './cursor.js';
import { newEvent } from './event.js';

export interface MemoryLogOptions {
  /** Events kept per org at least (newest first). */
  historySize: number;
  historyTtlSeconds: number;
  now?: () => number;
}

interface OrgLog {
  epoch: string;
  /** Retained events; `events[i].seq === firstSeq + i`. */
  events: LogEvent[];
  /** Index of the first live entry in `events` (evicted ones are dropped in chunks). */
  start: number;
  nextSeq: number;
  keys: Map<string, LogEvent>;
}

export class MemoryEventLog implements EventLog {
  private readonly orgs = new Map<string, OrgLog>();
  private readonly epoch = randomBytes(8).toString('hex');
  private readonly now: () => number;

  constructor(private readonly options: MemoryLogOptions) {
    this.now = options.now ?? Date.now;
  }

  private org(org: string): OrgLog {
    let log = this.orgs.get(org);
    if (log === undefined) {
      log = { epoch: orgEpoch(this.epoch, org), events: [], start: 0, nextSeq: 1, keys: new Map() };
      this.orgs.set(org, log);
    }
    return log;
  }

  append(org: string, items: readonly AppendInput[]): Promise<AppendResult[]> {
    const log = this.org(org);
    const nowMs = this.now();
    this.evict(log, nowMs);
    const results: AppendResult[] = [];
    for (const item of items) {
      if (item.key !== undefined) {
        const prior = log.keys.get(item.key);
        if (prior !== undefined) {
          results.push({ event: prior, duplicate: true });
          continue;
        }
      }
      const seq = log.nextSeq++;
      const event = newEvent(org, log.epoch, seq, item, nowMs);
      if (item.key !== undefined) {
        log.keys.set(item.key, event);
        keyOf.set(event, item.key);
      }
      log.events.push(event);
      results.push({ event, duplicate: false });
    }
    this.evict(log, nowMs);
    return Promise.resolve(results);
  }

  /** Drops events past the size bound or older than the TTL, and their idempotency keys. */
  private evict(log: OrgLog, nowMs: number): void {
    const oldestAllowedMs = nowMs - this.options.historyTtlSeconds * 1000;
    let live = log.events.length - log.start;
    while (live > 0) {
      const first = log.events[log.start] as LogEvent;
      if (live <= this.options.historySize && first.tsMs >= oldestAllowedMs) break;
      const key = keyOf.get(first);
      if (key !== undefined) log.keys.delete(key);
      log.start++;
      live--;
    }
    // Compact in chunks so eviction stays O(1) amortized.
    if (log.start > 1024 && log.start * 2 > log.events.length) {
      log.events = log.events.slice(log.start);
      log.start = 0;
    }
  }

  read(org: string, range: ReadRange): Promise<ReadResult> {
    const log = this.org(org);
    this.evict(log, this.now());
    const first =
      log.events.length - log.start === 0 ? log.nextSeq : (log.events[log.start] as LogEvent).seq;
    const lo = Math.max(first, (range.afterSeq ?? 0) + 1);
    const hi = Math.min(log.nextSeq - 1, (range.beforeSeq ?? Number.MAX_SAFE_INTEGER) - 1);
    const at = (seq: number): LogEvent => log.events[log.start + (seq - first)] as LogEvent;
    const events: LogEvent[] = [];
    let more = false;
    if (range.from === 'oldest') {
      for (let seq = lo; seq <= hi; seq++) {
        const e = at(seq);
        if (range.filter !== undefined && !range.filter(e.channel)) continue;
        if (events.length === range.limit) {
          more = true;
          break;
        }
        events.push(e);
      }
    } else {
      for (let seq = hi; seq >= lo; seq--) {
        const e = at(seq);
        if (range.filter !== undefined && !range.filter(e.channel)) continue;
        if (events.length === range.limit) {
          more = true;
          break;
        }
        events.push(e);
      }
      events.reverse();
    }
    return Promise.resolve({ events, more });
  }

  headSeq(org: string): Promise<number> {
    return Promise.resolve(this.org(org).nextSeq - 1);
  }

  firstSeq(org: string): Promise<number> {
    const log = this.org(org);
    this.evict(log, this.now());
    return Promise.resolve(
      log.events.length - log.start === 0 ? log.nextSeq : (log.events[log.start] as LogEvent).seq,
    );
  }

  cursorOf(org: string, seq: number): string {
    return encodeCursor(this.org(org).epoch, seq);
  }

  position(org: string, cursor: string): number | undefined {
    const log = this.org(org);
    const seq = decodeCursor(log.epoch, cursor);
    return seq !== undefined && seq < log.nextSeq ? seq : undefined;
  }

  check(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.orgs.clear();
    return Promise.resolve();
  }
}

/** Idempotency key per event, kept off the event object so it never reaches the wire. */
const keyOf = new WeakMap<LogEvent, string>();
