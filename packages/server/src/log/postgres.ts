/**
 * The durable log of a cluster that already runs PostgreSQL (`--log postgres`): its tables sit
 * in the store's schema and migrate with it (store/postgres-schema.ts, version 4).
 *
 * One node writes a database's log (see postgres-writer.ts): it keeps every org's head in
 * memory, so `position` and `cursorOf` stay synchronous and seqs are handed out without a
 * round trip. Appends are grouped as in the SQLite log: every append of one event-loop turn goes
 * into one transaction, committed in `setImmediate`, and each append resolves only after COMMIT
 * (PROTOCOL.md §2.3). Groups commit one after the other; appends that arrive meanwhile gather
 * in the next group. Idempotency keys are looked up inside the group's transaction, so a key is
 * checked against exactly what the commit sees.
 *
 * Outages fail fast with `EngineUnavailableError` and change nothing in memory. After any
 * failed commit (whose COMMIT may still have landed) or a lost writer connection, the log first
 * takes the lock again and reloads the heads, on the next append or `check()`: it never writes
 * on a stale head, and the heads' compare-and-set (postgres-group.ts) fences off a second
 * writer should one ever get in.
 *
 * Retention is computed as in the SQLite log; rows outside it are deleted at the next commit of
 * their org, and reads never show them either way.
 */
import type { Pool } from 'pg';
import { EngineUnavailableError } from '../engine-error.js';
import { inTransaction, newPool } from '../postgres-tx.js';
import { describePostgresError, isPostgresUnavailable } from '../store/postgres-errors.js';
import { POSTGRES_MIGRATIONS } from '../store/postgres-schema.js';
import { migratePostgres } from '../store/postgres.js';
import { serializeData } from './event.js';
import { decodeCursor, encodeCursor, OrgEpochs } from './cursor.js';
import type { AppendInput, AppendResult, EventLog, ReadRange, ReadResult } from './log.js';
import {
  floorsOf,
  StaleHeadError,
  writeGroup,
  type OrgHead,
  type PendingAppend,
  type Queryable,
  type Retention,
} from './postgres-group.js';
import { readPostgres } from './postgres-read.js';
import { loadHeads, readEpoch, WriterLock, type WriterLockOptions } from './postgres-writer.js';
import { scanWindow } from './read-page.js';

export interface PostgresLogOptions extends Retention {
  /** A connection string (`postgres://user:password@host:5432/db`); errors never echo it. */
  url: string;
  now?: () => number;
  /** Told about each migration the open runs. */
  onProgress?: (message: string) => void;
  /** How long a connect may take before the call fails (default 3000). */
  connectTimeoutMs?: number;
  /** The longest a statement may run or a silent server be waited for (default 5000). */
  queryTimeoutMs?: number;
  /** Connections of the log's pool, besides the writer's own (default 5). */
  maxConnections?: number;
  /** How often rows past the TTL are deleted for every org (default 60 s). */
  sweepIntervalMs?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 3000;
const DEFAULT_QUERY_TIMEOUT_MS = 5000;

export class PostgresEventLog implements EventLog {
  private readonly now: () => number;
  private readonly orgEpochs: OrgEpochs;
  private readonly sweepTimer: NodeJS.Timeout;
  private readonly pool: Pool;
  private group: PendingAppend[] = [];
  private flushQueued = false;
  /** Commits and recoveries, one after the other. */
  private tail: Promise<void> = Promise.resolve();
  /** Set by a failed commit: the heads must be read again before the next one. */
  private stale = false;
  private closing: Promise<void> | undefined;

  /** Migrates the schema, takes the writer lock and loads every org's head. */
  static async open(options: PostgresLogOptions): Promise<PostgresEventLog> {
    const target = describeTarget(options.url);
    const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const lockOptions: WriterLockOptions = {
      url: options.url,
      target,
      connectTimeoutMs,
      queryTimeoutMs: options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
    };
    let lock: WriterLock | undefined;
    try {
      await migratePostgres(options.url, POSTGRES_MIGRATIONS, {
        connectTimeoutMs,
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      });
      lock = await WriterLock.acquire(lockOptions);
      const epoch = await readEpoch(lock.db);
      const heads = await loadHeads(lock.db);
      return new PostgresEventLog(options, lockOptions, lock, epoch, heads);
    } catch (err) {
      await lock?.release();
      const why = err instanceof EngineUnavailableError ? err.reason : describePostgresError(err);
      throw new Error(`cannot open the event log in ${target}: ${why}`, { cause: err });
    }
  }

  private constructor(
    private readonly options: PostgresLogOptions,
    private readonly lockOptions: WriterLockOptions,
    private lock: WriterLock,
    private readonly epoch: string,
    private heads: Map<string, OrgHead>,
  ) {
    this.now = options.now ?? Date.now;
    this.orgEpochs = new OrgEpochs(epoch);
    this.pool = newPool({
      url: options.url,
      max: options.maxConnections ?? 5,
      connectTimeoutMs: lockOptions.connectTimeoutMs,
      queryTimeoutMs: lockOptions.queryTimeoutMs,
    });
    this.sweepTimer = setInterval(() => void this.sweep(), options.sweepIntervalMs ?? 60_000);
    this.sweepTimer.unref();
  }

  /**
   * Deletes rows past the TTL of every org (commits only prune the orgs they write). An event
   * older than the TTL is out of retention whatever the size bound says, so one statement on
   * the `ts` index does it, on the database's time, not the event loop's.
   */
  async sweep(): Promise<void> {
    if (this.closing !== undefined) return;
    const cutoffMs = this.now() - this.options.historyTtlSeconds * 1000;
    await this.pool.query('DELETE FROM log_events WHERE ts < $1', [cutoffMs]).catch(() => {
      // The next commit or check() reports an outage; a sweep only saves space.
    });
  }

  append(org: string, items: readonly AppendInput[]): Promise<AppendResult[]> {
    if (this.closing !== undefined) return Promise.reject(closedError());
    // Here, not in the group's commit: one item that cannot be serialized fails its own
    // append, not every append of its group.
    const json = serializeData(items);
    if (!Array.isArray(json)) return Promise.reject(json);
    return new Promise<AppendResult[]>((resolve, reject) => {
      this.group.push({ org, items, json, receivedMs: this.now(), resolve, reject });
      if (!this.flushQueued) {
        this.flushQueued = true;
        setImmediate(() => void this.serial(this.flush));
      }
    });
  }

  /** Runs `work` after every commit and recovery queued before it. */
  private serial(work: () => Promise<void>): Promise<void> {
    const run = this.tail.then(work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Commits every append gathered so far as one transaction, then settles them all. */
  private readonly flush = async (): Promise<void> => {
    this.flushQueued = false;
    const group = this.group;
    this.group = [];
    if (group.length === 0) return;
    let outcome;
    try {
      await this.recover();
      outcome = await this.transaction((db) =>
        writeGroup(db, group, this.heads, this.now(), this.options, this.epoch),
      );
    } catch (err) {
      // Even a failed COMMIT may have landed: read the heads again before writing on them.
      this.stale = true;
      const error = this.toLogError(err);
      for (const p of group) p.reject(error);
      return;
    }
    for (const [org, head] of outcome.heads) this.heads.set(org, head);
    group.forEach((p, i) => p.resolve(outcome.results[i] ?? []));
  };

  /**
   * Makes the cached heads trustworthy again after a lost lock or a failed commit: takes the
   * lock anew when its connection went, then reloads every head. Runs in the commit queue.
   */
  private async recover(): Promise<void> {
    if (this.lock.held && !this.stale) return;
    if (!this.lock.held) {
      await this.lock.release();
      this.lock = await WriterLock.acquire(this.lockOptions);
    }
    this.heads = await loadHeads(this.lock.db);
    this.stale = false;
  }

  private transaction<T>(work: (db: Queryable) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, work);
  }

  async read(org: string, range: ReadRange): Promise<ReadResult> {
    this.assertOpen();
    const head = this.heads.get(org)?.head ?? 0;
    try {
      const window = scanWindow(range, await this.floorOf(org, head), head);
      if (window === undefined) return { events: [], more: false };
      return await readPostgres(this.pool, org, range, window, this.orgEpochs.of(org));
    } catch (err) {
      throw this.toLogError(err);
    }
  }

  headSeq(org: string): Promise<number> {
    if (this.closing !== undefined) return Promise.reject(closedError());
    return Promise.resolve(this.heads.get(org)?.head ?? 0);
  }

  async firstSeq(org: string): Promise<number> {
    this.assertOpen();
    try {
      return await this.floorOf(org, this.heads.get(org)?.head ?? 0);
    } catch (err) {
      throw this.toLogError(err);
    }
  }

  private async floorOf(org: string, head: number): Promise<number> {
    const floors = await floorsOf(this.pool, new Map([[org, { head, nowMs: this.now() }]]), {
      historySize: this.options.historySize,
      historyTtlSeconds: this.options.historyTtlSeconds,
    });
    return floors.get(org) ?? head + 1;
  }

  cursorOf(org: string, seq: number): string {
    return encodeCursor(this.orgEpochs.of(org), seq);
  }

  position(org: string, cursor: string): Promise<number | undefined> {
    const seq = decodeCursor(this.orgEpochs.of(org), cursor);
    if (seq === undefined) return Promise.resolve(undefined);
    return Promise.resolve(seq <= (this.heads.get(org)?.head ?? 0) ? seq : undefined);
  }

  /**
   * Resolves when the database answers on the writer's connection, so the lock is held. After
   * a lost lock or a failed commit it recovers first, so /readyz turns green by itself.
   */
  async check(): Promise<void> {
    this.assertOpen();
    try {
      // Twice at most: a probe on a connection that died unnoticed finds out, then recovers.
      for (let attempt = 1; ; attempt++) {
        if (!this.lock.held || this.stale) await this.serial(() => this.recover());
        try {
          await this.lock.db.query('SELECT 1');
          return;
        } catch (err) {
          if (attempt === 2 || this.lock.held) throw err;
        }
      }
    } catch (err) {
      throw this.toLogError(err);
    }
  }

  /** Commits what was appended, gives the writer lock back and closes the pool. */
  close(): Promise<void> {
    clearInterval(this.sweepTimer);
    this.closing ??= (async () => {
      await this.serial(this.flush).catch(() => undefined);
      await this.lock.release();
      await this.pool.end().catch(() => undefined);
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing !== undefined) throw closedError();
  }

  /**
   * An outage becomes an `EngineUnavailableError` (503); any other failure is a bug and stays
   * what it is (500), so it is not mistaken for a busy database.
   */
  private toLogError(err: unknown): Error {
    if (err instanceof EngineUnavailableError) return err;
    if (err instanceof StaleHeadError)
      return new EngineUnavailableError('log', err.message, { code: 'locked' });
    if (isPostgresUnavailable(err))
      return new EngineUnavailableError('log', describePostgresError(err), { cause: err });
    return err instanceof Error ? err : new Error(String(err));
  }
}

const closedError = (): EngineUnavailableError => new EngineUnavailableError('log', 'closed');

/** `host:port/database` of a connection string, without its user or password. */
function describeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host || 'localhost'}${parsed.pathname}`;
  } catch {
    return 'postgres';
  }
}
