/**
 * The durable log of the embedded deployment: one SQLite file (WAL) per node.
 *
 * Appends are grouped: every append of one event-loop turn goes into one transaction, committed
 * in `setImmediate`, and each append resolves only after its group committed, so an
 * acknowledged publish survives a crash of the process (PROTOCOL.md §2.3; with
 * `synchronous: 'full'` a power cut too) at the cost of one commit per turn, not one per event. Only committed events are visible (`read`, `headSeq`, `position`): a client can
 * never hold a cursor that a crash takes back.
 *
 * Seqs are handed out at append time so results can be built before the commit; when a commit
 * fails, every append of the group is rejected and the seqs are handed out again, so the log
 * has no gaps.
 *
 * Retention is computed, not stored: an event is retained while it is among the org's newest
 * `historySize` and younger than `historyTtl`. Rows outside that are deleted at the next commit
 * of their org and by a periodic sweep, and reads never show them either way.
 *
 * better-sqlite3 is synchronous: each commit blocks the event loop for its duration (about
 * 0.1 ms for 64 events here, plus an fsync with `synchronous: 'full'`). That buys ordering
 * for free; a writer thread would only pay off on disks whose fsync takes milliseconds.
 */
import type { Database as Db, Statement } from 'better-sqlite3';

export type { Db as SqliteDatabase };
import { EngineUnavailableError } from '../engine-error.js';
import { describeSqliteError, isSqliteUnavailable } from '../sqlite-errors.js';
import { migrateLog, openError, openLogDatabase, readEpoch } from './sqlite-schema.js';
import type {
  AppendInput,
  AppendResult,
  EventLog,
  LogEvent,
  ReadRange,
  ReadResult,
} from './log.js';
import { decodeCursor, encodeCursor, OrgEpochs } from './cursor.js';
import { eventIdOf, newEvent, serializeData } from './event.js';
import { scanWindow } from './read-page.js';
import { SqliteReads, type EventRow } from './sqlite-read.js';

export interface SqliteLogOptions {
  /** The database file; its directory is created when missing. */
  path: string;
  historySize: number;
  historyTtlSeconds: number;
  /**
   * `normal` survives a crash of the process (the default: what guarantee 3 asks for);
   * `full` also survives a power cut, at one fsync per group commit.
   */
  synchronous?: 'normal' | 'full';
  now?: () => number;
  /** Called with the open connection; tests set `max_page_count` on it to fill the "disk". */
  onOpen?: (db: Db) => void;
  /** How often rows past the TTL are deleted for orgs that stopped appending. */
  sweepIntervalMs?: number;
  /** Told about each schema step the open runs. */
  onProgress?: (message: string) => void;
}

interface OrgState {
  org: string;
  epoch: string;
  /** The newest committed seq. */
  head: number;
  /** The next seq to hand out (head + events waiting for the commit + 1). */
  nextSeq: number;
  /** Keeps `ts` non-decreasing in seq even if the wall clock steps back, so the TTL cut is one. */
  lastTsMs: number;
  /** Keys of events waiting for the commit. */
  pendingKeys: Map<string, LogEvent>;
}

interface PendingRow {
  event: LogEvent;
  key: string | undefined;
}

interface Waiter {
  results: AppendResult[];
  resolve: (results: AppendResult[]) => void;
  reject: (err: Error) => void;
}

export class SqliteEventLog implements EventLog {
  private readonly db: Db;
  private readonly epoch: string;
  private readonly orgEpochs: OrgEpochs;
  private readonly now: () => number;
  private readonly orgs = new Map<string, OrgState>();
  private batch: PendingRow[] = [];
  private waiters: Waiter[] = [];
  private commitScheduled = false;
  private closed = false;
  private sweeping = false;
  /** Set by a failed commit, cleared by the next good one: /readyz reports it. */
  private failure: Error | undefined;
  private readonly sweepTimer: NodeJS.Timeout;
  private readonly stmt: {
    orgHead: Statement<[string], { head: number }>;
    upsertHead: Statement<[string, number]>;
    insert: Statement<[string, number, string, string, number, string | null, string | null]>;
    byKey: Statement<[string, string], EventRow>;
    deleteBelow: Statement<[string, number]>;
    deleteKey: Statement<[string, string]>;
    firstYoungerThan: Statement<[string, number, number], { seq: number }>;
    allOrgs: Statement<[], { org: string }>;
  };
  private readonly commitTx: (rows: readonly PendingRow[]) => void;
  private readonly reads: SqliteReads;

  constructor(private readonly options: SqliteLogOptions) {
    this.now = options.now ?? Date.now;
    this.db = openLogDatabase(options.path, options.synchronous ?? 'normal');
    try {
      migrateLog(this.db, options.onProgress);
      options.onOpen?.(this.db);
      this.epoch = readEpoch(this.db);
      this.orgEpochs = new OrgEpochs(this.epoch);
      const db = this.db;
      this.stmt = {
        orgHead: db.prepare('SELECT head FROM orgs WHERE org = ?'),
        upsertHead: db.prepare(
          'INSERT INTO orgs (org, head) VALUES (?, ?) ON CONFLICT (org) DO UPDATE SET head = excluded.head',
        ),
        insert: db.prepare(
          'INSERT INTO events (org, seq, channel, data, ts, from_user, idem_key) VALUES (?, ?, ?, ?, ?, ?, ?)',
        ),
        byKey: db.prepare(
          'SELECT seq, channel, data, ts, from_user FROM events WHERE org = ? AND idem_key = ?',
        ),
        deleteBelow: db.prepare('DELETE FROM events WHERE org = ? AND seq < ?'),
        deleteKey: db.prepare('DELETE FROM events WHERE org = ? AND idem_key = ?'),
        firstYoungerThan: db.prepare(
          'SELECT seq FROM events WHERE org = ? AND seq >= ? AND ts >= ? ORDER BY seq LIMIT 1',
        ),
        allOrgs: db.prepare('SELECT org FROM orgs'),
      };
      this.reads = new SqliteReads(db);
      this.commitTx = db.transaction((rows: readonly PendingRow[]) => this.writeGroup(rows));
    } catch (err) {
      this.db.close();
      throw openError(options.path, err);
    }
    this.sweepTimer = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 60_000);
    this.sweepTimer.unref();
  }

  append(org: string, items: readonly AppendInput[]): Promise<AppendResult[]> {
    if (this.closed) return Promise.reject(closedError());
    let st: OrgState;
    try {
      st = this.org(org);
    } catch (err) {
      return Promise.reject(this.unavailable(err));
    }
    const json = serializeData(items);
    if (!Array.isArray(json)) return Promise.reject(json);
    const nowMs = Math.max(this.now(), st.lastTsMs);
    st.lastTsMs = nowMs;
    const results: AppendResult[] = [];
    let floor: number | undefined;
    try {
      for (const [i, item] of items.entries()) {
        const key = item.key;
        if (key !== undefined) {
          const pending = st.pendingKeys.get(key);
          if (pending !== undefined) {
            results.push({ event: pending, duplicate: true });
            continue;
          }
          const row = this.stmt.byKey.get(org, key);
          if (row !== undefined) {
            floor ??= this.floorOf(st, nowMs);
            if (row.seq >= floor) {
              results.push({ event: this.toEvent(st, row), duplicate: true });
              continue;
            }
          }
        }
        const seq = st.nextSeq++;
        const event = newEvent(org, st.epoch, seq, item, nowMs, json[i] as string);
        if (key !== undefined) st.pendingKeys.set(key, event);
        this.batch.push({ event, key });
        results.push({ event, duplicate: false });
      }
    } catch (err) {
      // A read failed midway: drop what this call queued so nothing half-appended commits.
      this.dropQueued(st, results);
      return Promise.reject(this.unavailable(err));
    }
    return new Promise<AppendResult[]>((resolve, reject) => {
      this.waiters.push({ results, resolve, reject });
      if (!this.commitScheduled) {
        this.commitScheduled = true;
        setImmediate(this.commit);
      }
    });
  }

  private dropQueued(st: OrgState, results: readonly AppendResult[]): void {
    const mine = new Set(results.filter((r) => !r.duplicate).map((r) => r.event));
    if (mine.size === 0) return;
    this.batch = this.batch.filter((row) => !mine.has(row.event));
    for (const [key, event] of st.pendingKeys) if (mine.has(event)) st.pendingKeys.delete(key);
    st.nextSeq -= mine.size;
  }

  private readonly commit = (): void => {
    this.commitScheduled = false;
    const rows = this.batch;
    const waiters = this.waiters;
    this.batch = [];
    this.waiters = [];
    const touched = new Set<OrgState>();
    for (const row of rows) touched.add(this.orgs.get(row.event.org) as OrgState);
    try {
      if (rows.length > 0) this.commitTx(rows);
    } catch (err) {
      // Nothing of the group is in the log: hand its seqs out again and fail every append.
      const error = this.unavailable(err);
      this.failure = error;
      for (const st of touched) {
        st.nextSeq = st.head + 1;
        st.pendingKeys.clear();
      }
      for (const w of waiters) w.reject(error);
      return;
    }
    this.failure = undefined;
    for (const row of rows) {
      const st = this.orgs.get(row.event.org) as OrgState;
      st.head = row.event.seq;
      if (row.key !== undefined) st.pendingKeys.delete(row.key);
    }
    for (const w of waiters) w.resolve(w.results);
  };

  /** One group, inside one transaction: evict, insert, move the heads, evict by size again. */
  private writeGroup(rows: readonly PendingRow[]): void {
    const nowMs = this.now();
    const heads = new Map<OrgState, number>();
    for (const row of rows) {
      const st = this.orgs.get(row.event.org) as OrgState;
      if (!heads.has(st)) {
        // Rows already out of retention go first, so a key they held can be taken again.
        this.stmt.deleteBelow.run(st.org, this.floorOf(st, nowMs));
      }
      heads.set(st, row.event.seq);
      // append() found this key's old event out of retention, by its own clock; whatever this
      // clock says, that row must go before the key is taken again.
      if (row.key !== undefined) this.stmt.deleteKey.run(st.org, row.key);
      const e = row.event;
      this.stmt.insert.run(
        e.org,
        e.seq,
        e.channel,
        e.dataJson,
        e.tsMs,
        e.from ?? null,
        row.key ?? null,
      );
    }
    for (const [st, head] of heads) {
      this.stmt.upsertHead.run(st.org, head);
      this.stmt.deleteBelow.run(st.org, head - this.options.historySize + 1);
    }
  }

  /** The smallest retained seq at `nowMs` (head + 1 when nothing is retained). */
  private floorOf(st: OrgState, nowMs: number): number {
    const sizeFloor = Math.max(1, st.head - this.options.historySize + 1);
    if (sizeFloor > st.head) return st.head + 1;
    const cutoffMs = nowMs - this.options.historyTtlSeconds * 1000;
    const row = this.stmt.firstYoungerThan.get(st.org, sizeFloor, cutoffMs);
    return row === undefined ? st.head + 1 : row.seq;
  }

  read(org: string, range: ReadRange): Promise<ReadResult> {
    try {
      const st = this.org(org);
      const window = scanWindow(range, this.floorOf(st, this.now()), st.head);
      if (window === undefined) return Promise.resolve({ events: [], more: false });
      return Promise.resolve(this.reads.read(org, range, window, (row) => this.toEvent(st, row)));
    } catch (err) {
      return Promise.reject(this.unavailable(err));
    }
  }

  headSeq(org: string): Promise<number> {
    try {
      return Promise.resolve(this.org(org).head);
    } catch (err) {
      return Promise.reject(this.unavailable(err));
    }
  }

  firstSeq(org: string): Promise<number> {
    try {
      const st = this.org(org);
      return Promise.resolve(this.floorOf(st, this.now()));
    } catch (err) {
      return Promise.reject(this.unavailable(err));
    }
  }

  cursorOf(org: string, seq: number): string {
    return encodeCursor(this.orgEpochs.of(org), seq);
  }

  position(org: string, cursor: string): Promise<number | undefined> {
    const seq = decodeCursor(this.orgEpochs.of(org), cursor);
    if (seq === undefined) return Promise.resolve(undefined);
    try {
      return Promise.resolve(seq <= this.org(org).head ? seq : undefined);
    } catch {
      // The head cannot be read: resume then fails at the read with a clear error.
      return Promise.resolve(seq);
    }
  }

  /**
   * Resolves when the log can take a commit. After a failed commit it proves recovery with a
   * real write (a lock or a full disk only shows on writing), so /readyz turns green by itself.
   */
  check(): Promise<void> {
    if (this.closed) return Promise.reject(closedError());
    if (this.failure === undefined) return Promise.resolve();
    try {
      // As large as a typical group, so a disk with no room for one still fails here.
      this.db
        .prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('probe', ?)")
        .run('p'.repeat(16 * 1024));
      this.db.prepare("DELETE FROM meta WHERE key = 'probe'").run();
      this.failure = undefined;
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(this.unavailable(err));
    }
  }

  /** Waits for the group in flight, then closes the file. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    clearInterval(this.sweepTimer);
    if (this.commitScheduled) {
      this.commitScheduled = false;
      this.commit();
    }
    this.db.close();
    return Promise.resolve();
  }

  /** Deletes rows past the TTL for every org, so reads of idle orgs stay short. */
  private sweep(): void {
    if (this.closed || this.sweeping) return;
    let orgs: string[];
    try {
      orgs = this.stmt.allOrgs.all().map((row) => row.org);
    } catch {
      return; // The next commit reports the failure; a sweep only saves space.
    }
    // A few hundred orgs per loop turn: a node with many tenants never stalls on a sweep.
    this.sweeping = true;
    const step = (from: number): void => {
      if (this.closed || from >= orgs.length) {
        this.sweeping = false;
        return;
      }
      try {
        const nowMs = this.now();
        for (const org of orgs.slice(from, from + SWEEP_ORGS_PER_TURN))
          this.stmt.deleteBelow.run(org, this.floorOf(this.org(org), nowMs));
      } catch {
        this.sweeping = false;
        return;
      }
      setImmediate(step, from + SWEEP_ORGS_PER_TURN);
    };
    step(0);
  }

  private org(org: string): OrgState {
    if (this.closed) throw closedError();
    let st = this.orgs.get(org);
    if (st === undefined) {
      const head = this.stmt.orgHead.get(org)?.head ?? 0;
      st = {
        org,
        epoch: this.orgEpochs.of(org),
        head,
        nextSeq: head + 1,
        lastTsMs: 0,
        pendingKeys: new Map(),
      };
      this.orgs.set(org, st);
    }
    return st;
  }

  private toEvent(st: OrgState, row: EventRow): LogEvent {
    return {
      org: st.org,
      seq: row.seq,
      eventId: eventIdOf(st.epoch, row.seq),
      channel: row.channel,
      dataJson: row.data,
      tsMs: row.ts,
      cursor: encodeCursor(st.epoch, row.seq),
      ...(row.from_user === null ? {} : { from: row.from_user }),
    };
  }

  /**
   * An outage (locked, full, unreadable file) becomes an `EngineUnavailableError` (503); any
   * other failure is a bug and stays what it is (500), so it is not mistaken for a busy disk.
   */
  private unavailable(err: unknown): Error {
    if (err instanceof EngineUnavailableError) return err;
    if (isSqliteUnavailable(err))
      return new EngineUnavailableError('log', describeSqliteError(err), { cause: err });
    return err instanceof Error ? err : new Error(String(err));
  }
}

const SWEEP_ORGS_PER_TURN = 200;

const closedError = (): EngineUnavailableError => new EngineUnavailableError('log', 'closed');
