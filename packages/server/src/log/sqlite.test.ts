import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../config/load.js';
import { EngineUnavailableError } from '../engine-error.js';
import { describeEventLog } from './log.contract.js';
import { SqliteEventLog, type SqliteDatabase, type SqliteLogOptions } from './sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'hubcast-sqlite-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = (): string => join(dir, `log-${++files}.db`);

describeEventLog('SqliteEventLog', (opts) => new SqliteEventLog({ path: freshPath(), ...opts }));

const options = (path: string, extra: Partial<SqliteLogOptions> = {}): SqliteLogOptions => ({
  path,
  historySize: 100,
  historyTtlSeconds: 3600,
  ...extra,
});

describe('SqliteEventLog', () => {
  it('keeps events, cursors and idempotency keys across a reopen', async () => {
    const path = freshPath();
    const before = new SqliteEventLog(options(path));
    const results = await before.append('acme', [
      { channel: 'a.b', data: { n: 1 }, key: 'k1', from: 'alice' },
      { channel: 'a.c', data: null },
    ]);
    const start = before.cursorOf('acme', 0);
    await before.close();

    const after = new SqliteEventLog(options(path));
    expect(await after.headSeq('acme')).toBe(2);
    expect(await after.position('acme', results[1]?.event.cursor ?? '')).toBe(2);
    expect(await after.position('acme', start)).toBe(0);
    const { events } = await after.read('acme', { from: 'oldest', limit: 10 });
    expect(events).toEqual(results.map((r) => r.event));
    const [again] = await after.append('acme', [{ channel: 'x', data: 2, key: 'k1' }]);
    expect(again).toEqual({ event: results[0]?.event, duplicate: true });
    const [next] = await after.append('acme', [{ channel: 'a.b', data: 3 }]);
    expect(next?.event.seq).toBe(3);
    await after.close();
  });

  it('gives a new file a new epoch: cursors of a wiped log cannot be placed', async () => {
    const path = freshPath();
    const before = new SqliteEventLog(options(path));
    const [old] = await before.append('acme', [{ channel: 'c', data: 1 }]);
    await before.close();
    rmSync(path);
    rmSync(`${path}-wal`, { force: true });
    rmSync(`${path}-shm`, { force: true });

    const after = new SqliteEventLog(options(path));
    await after.append('acme', [{ channel: 'c', data: 1 }]);
    expect(await after.position('acme', old?.event.cursor ?? '')).toBeUndefined();
    expect(await after.position('acme', before.cursorOf('acme', 0))).toBeUndefined();
    await after.close();
  });

  it('commits the appends of one turn as one group, visible only once committed', async () => {
    const log = new SqliteEventLog(options(freshPath()));
    const pending = Array.from({ length: 50 }, (_, i) =>
      log.append('acme', [{ channel: 'c', data: i }]),
    );
    // Nothing is visible before the group commits: a cursor past the head cannot be handed out.
    expect(await log.headSeq('acme')).toBe(0);
    const results = await Promise.all(pending);
    expect(results.map(([r]) => r?.event.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(await log.headSeq('acme')).toBe(50);
    await log.close();
  });

  it('deduplicates a key inside one group and across groups', async () => {
    const log = new SqliteEventLog(options(freshPath()));
    const [a, b] = await Promise.all([
      log.append('acme', [{ channel: 'c', data: 1, key: 'same' }]),
      log.append('acme', [{ channel: 'c', data: 2, key: 'same' }]),
    ]);
    expect(a?.[0]?.duplicate).toBe(false);
    expect(b?.[0]).toEqual({ event: a?.[0]?.event, duplicate: true });
    expect(await log.headSeq('acme')).toBe(1);
    await log.close();
  });

  it('deletes rows past the size bound, so the file stays bounded', async () => {
    const path = freshPath();
    const log = new SqliteEventLog(options(path, { historySize: 10 }));
    for (let i = 0; i < 30; i++) {
      await log.append('acme', [
        { channel: 'c', data: i, key: `k${i}` },
        { channel: 'c', data: i },
      ]);
    }
    await log.close();
    const db = new Database(path, { readonly: true });
    const row = db.prepare('SELECT count(*) AS n, min(seq) AS lo FROM events').get() as {
      n: number;
      lo: number;
    };
    db.close();
    expect(row).toEqual({ n: 10, lo: 51 });
  });

  it('refuses a second opener of the same file, naming the file and why', async () => {
    const path = freshPath();
    const first = new SqliteEventLog(options(path));
    expect(() => new SqliteEventLog(options(path))).toThrow(
      /cannot open the event log .*database is locked.*another process/,
    );
    // Nobody else can write it either, not even a plain connection.
    const other = new Database(path, { timeout: 10 });
    expect(() => other.exec('BEGIN IMMEDIATE')).toThrow(/locked/);
    other.close();
    await first.close();
    const second = new SqliteEventLog(options(path));
    await second.close();
  });

  it('takes a key back after its event expired, even with the clock stepping back', async () => {
    let nowMs = Date.UTC(2026, 0, 1);
    const log = new SqliteEventLog(
      options(freshPath(), { historyTtlSeconds: 60, now: () => nowMs }),
    );
    const start = nowMs;
    await log.append('acme', [{ channel: 'c', data: 1, key: 'k' }]);
    nowMs = start + 30_000;
    await log.append('acme', [{ channel: 'c', data: 2, key: 'k2' }]);
    // A duplicates-only append moves the log's clock to +70 s without a commit: 'k' expired.
    nowMs = start + 70_000;
    const [dup] = await log.append('acme', [{ channel: 'c', data: 2, key: 'k2' }]);
    expect(dup?.duplicate).toBe(true);
    // The wall clock steps back to +50 s, where 'k' would still be retained.
    nowMs = start + 50_000;
    const [again] = await log.append('acme', [{ channel: 'c', data: 3, key: 'k' }]);
    expect(again).toMatchObject({ duplicate: false, event: { seq: 3 } });
    const [other] = await log.append('other', [{ channel: 'c', data: 4 }]);
    expect(other?.event.seq).toBe(1);
    await log.close();
  });

  it('answers EngineUnavailableError once closed', async () => {
    const log = new SqliteEventLog(options(freshPath()));
    await log.close();
    await expect(log.append('acme', [{ channel: 'c', data: 1 }])).rejects.toBeInstanceOf(
      EngineUnavailableError,
    );
    await expect(log.read('acme', { from: 'oldest', limit: 1 })).rejects.toThrow(
      /log unavailable: closed/,
    );
    await expect(log.headSeq('acme')).rejects.toBeInstanceOf(EngineUnavailableError);
    await expect(log.check()).rejects.toBeInstanceOf(EngineUnavailableError);
  });

  it('fails appends when the disk is full, keeps what was acknowledged, and recovers', async () => {
    const path = freshPath();
    let db: SqliteDatabase | undefined;
    const log = new SqliteEventLog(
      options(path, { historySize: 100_000, onOpen: (conn) => (db = conn) }),
    );
    const pages = db?.pragma('page_count', { simple: true }) as number;
    db?.pragma(`max_page_count = ${pages + 2}`);
    const big = 'x'.repeat(3000);
    const acked: number[] = [];
    let error: unknown;
    for (let i = 0; i < 50 && error === undefined; i++) {
      try {
        const [r] = await log.append('acme', [{ channel: 'c', data: big }]);
        acked.push(r?.event.seq ?? -1);
      } catch (err) {
        error = err;
      }
    }
    expect(error).toBeInstanceOf(EngineUnavailableError);
    expect(String(error)).toMatch(/full/i);
    await expect(log.check()).rejects.toThrow(/full/i);

    db?.pragma('max_page_count = 1073741823');
    await expect(log.check()).resolves.toBeUndefined();
    const [after] = await log.append('acme', [{ channel: 'c', data: 'ok' }]);
    expect(after?.event.seq).toBe(acked.length + 1);
    const { events } = await log.read('acme', { from: 'oldest', limit: 1000 });
    expect(events.map((e) => e.seq)).toEqual([...acked, acked.length + 1]);
    await log.close();
  });

  it('lets a client offline for an hour resume under the default retention', async () => {
    const defaults = loadConfig({ flags: { dev: true }, env: {} });
    let nowMs = Date.UTC(2026, 0, 1);
    const log = new SqliteEventLog({
      path: freshPath(),
      historySize: defaults.historySize,
      historyTtlSeconds: defaults.historyTtl,
      now: () => nowMs,
    });
    const [first] = await log.append('acme', [{ channel: 'c', data: 0 }]);
    const cursor = first?.event.cursor ?? '';
    // An hour at two events a second, one group per second.
    for (let second = 1; second <= 3600; second++) {
      nowMs += 1000;
      await log.append('acme', [
        { channel: 'c', data: second },
        { channel: 'd', data: second },
      ]);
    }
    const seq = await log.position('acme', cursor);
    expect(seq).toBe(1);
    expect(await log.firstSeq('acme')).toBeLessThanOrEqual(2);
    const { events, more } = await log.read('acme', { afterSeq: 1, from: 'oldest', limit: 10 });
    expect(events[0]?.seq).toBe(2);
    expect(more).toBe(true);
    await log.close();
  });

  it('sweeps expired rows of every org, a few hundred orgs per loop turn', async () => {
    // Only the sweep's interval is faked: commits and sweep steps run on real loop turns.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    try {
      let nowMs = Date.UTC(2026, 0, 1);
      let db: SqliteDatabase | undefined;
      const log = new SqliteEventLog(
        options(freshPath(), {
          historyTtlSeconds: 60,
          now: () => nowMs,
          sweepIntervalMs: 1000,
          onOpen: (conn) => (db = conn),
        }),
      );
      const appends = Array.from({ length: 450 }, (_, i) =>
        log.append(`org${i}`, [{ channel: 'c', data: i }]),
      );
      await Promise.all(appends);
      const rows = (): unknown => db?.prepare('SELECT count(*) AS n FROM events').get();
      expect(rows()).toEqual({ n: 450 });
      nowMs += 120_000;
      // The interval fires, and the sweep goes on over three loop turns (200 + 200 + 50).
      vi.advanceTimersByTime(1000);
      expect(rows()).toEqual({ n: 250 });
      await nextTurn();
      expect(rows()).toEqual({ n: 50 });
      await nextTurn();
      expect(rows()).toEqual({ n: 0 });
      await log.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses a corrupt file with an error naming it', () => {
    const path = freshPath();
    writeFileSync(path, Buffer.alloc(8192, 0x5a));
    expect(() => new SqliteEventLog(options(path))).toThrow(
      new RegExp(
        `cannot open the event log ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*not a database`,
      ),
    );
  });

  it('refuses a file made by a newer hubcast', () => {
    const path = freshPath();
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => new SqliteEventLog(options(path))).toThrow(/schema version 99 is newer/);
  });

  it('migrates a version-1 file to the read scan index once, saying so, and keeps its events', async () => {
    const path = freshPath();
    const v1 = new SqliteEventLog(options(path));
    const [kept] = await v1.append('acme', [{ channel: 'a.b', data: 1 }]);
    await v1.close();
    // What a hubcast before the index left: the same tables, at version 1.
    const raw = new Database(path);
    raw.exec('DROP INDEX events_scan');
    raw.pragma('user_version = 1');
    raw.close();

    const messages: string[] = [];
    const migrated = new SqliteEventLog(options(path, { onProgress: (m) => messages.push(m) }));
    expect(messages).toEqual(['migrating event log: 1/1 read scan index (version 2)']);
    const { events } = await migrated.read('acme', { from: 'oldest', limit: 5, patterns: ['a.*'] });
    expect(events).toEqual([kept?.event]);
    expect(await migrated.position('acme', kept?.event.cursor ?? '')).toBe(1);
    await migrated.close();

    const again = new SqliteEventLog(options(path, { onProgress: (m) => messages.push(m) }));
    await again.close();
    expect(messages).toHaveLength(1);
    const check = new Database(path, { readonly: true });
    const indexes = check
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'")
      .all();
    expect(check.pragma('user_version', { simple: true })).toBe(2);
    check.close();
    expect(indexes).toContainEqual({ name: 'events_scan' });
  });

  it('tells a new file every step it runs', async () => {
    const messages: string[] = [];
    const log = new SqliteEventLog(options(freshPath(), { onProgress: (m) => messages.push(m) }));
    await log.close();
    expect(messages).toEqual([
      'migrating event log: 1/2 event log (version 1)',
      'migrating event log: 2/2 read scan index (version 2)',
    ]);
  });
});
