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
import { newEvent, serializeData } from './event.js';
import { PagePicker, scanWindow } from './read-page.js';

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
    const json = serializeData(items);
    if (!Array.isArray(json)) return Promise.reject(json);
    const log = this.org(org);
    const nowMs = this.now();
    this.evict(log, nowMs);
    const results: AppendResult[] = [];
    for (const [i, item] of items.entries()) {
      if (item.key !== undefined) {
        const prior = log.keys.get(item.key);
        if (prior !== undefined) {
          results.push({ event: prior, duplicate: true });
          continue;
        }
      }
      const seq = log.nextSeq++;
      const event = newEvent(org, log.epoch, seq, item, nowMs, json[i] as string);
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
    const window = scanWindow(range, first, log.nextSeq - 1);
    if (window === undefined) return Promise.resolve({ events: [], more: false });
    const at = (seq: number): LogEvent => log.events[log.start + (seq - first)] as LogEvent;
    const picker = new PagePicker<LogEvent>(range, (e) => Buffer.byteLength(e.dataJson));
    if (range.from === 'oldest') {
      for (let seq = window.lo; seq <= window.hi && picker.offer(at(seq)); seq++);
    } else {
      for (let seq = window.hi; seq >= window.lo && picker.offer(at(seq)); seq--);
    }
    const { rows: events, ...rest } = picker.page(window);
    if (range.from === 'newest') events.reverse();
    return Promise.resolve({ events, ...rest });
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

  position(org: string, cursor: string): Promise<number | undefined> {
    const log = this.org(org);
    const seq = decodeCursor(log.epoch, cursor);
    return Promise.resolve(seq !== undefined && seq < log.nextSeq ? seq : undefined);
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
