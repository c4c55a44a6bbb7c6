import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { describeChatStore } from './chat-store.contract.js';
import { SQLITE_MIGRATIONS } from './sqlite-schema.js';
import { isSqliteUnavailable } from '../sqlite-errors.js';
import { migrateSqlite, SqliteStore } from './sqlite.js';
import type { StoreTargetFactory } from './store-kit.contract.js';
import { describeStoreLifecycle } from './store-lifecycle.contract.js';
import { describeStore } from './store.contract.js';
import { describePushStore } from './push-store.contract.js';
import { describeWebhookStore } from './webhook-store.contract.js';
import { describeFollowUpStore } from './follow-up-store.contract.js';
import { StoreUnavailableError, type Store } from './store.js';

const dir = mkdtempSync(join(tmpdir(), 'hubcast-sqlite-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = (): string => join(dir, `store-${++files}.db`);

const newTarget: StoreTargetFactory = () => {
  const path = freshPath();
  return Promise.resolve({ open: (options) => SqliteStore.open({ path, ...options }) });
};

describeStore('SqliteStore', newTarget);
describeWebhookStore('SqliteStore', newTarget);
describeStoreLifecycle('SqliteStore', newTarget);
describePushStore('SqliteStore', newTarget, { sharedTarget: true });
describeChatStore('SqliteStore', newTarget);
describeFollowUpStore('SqliteStore', newTarget, { sharedTarget: true });

const note = { kind: 'mention', title: 't' };

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (err: unknown) => err,
  );
}

describe('SqliteStore', () => {
  const open: Store[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  const openStore = async (path: string, extra: { busyTimeoutMs?: number } = {}) => {
    const store = await SqliteStore.open({ path, ...extra });
    open.push(store);
    return store;
  };

  it('fails writes with StoreUnavailableError while another connection holds the lock, then recovers', async () => {
    const path = freshPath();
    const store = await openStore(path, { busyTimeoutMs: 20 });
    const inbox = store.notifications;
    const { ids } = await inbox.create('acme', { users: ['ann'], notification: note });
    await store.chat.createRoom('acme', { room: 'general', owner: 'ann' });
    const other = new Database(path);
    other.exec('BEGIN EXCLUSIVE');
    try {
      const writes: Promise<unknown>[] = [
        inbox.create('acme', { users: ['ann'], notification: note, key: 'k' }),
        inbox.markRead('acme', 'ann', ids),
        inbox.markAllRead('acme', 'ann'),
        store.chat.send('acme', { room: 'general', user: 'ann', text: 'hi' }),
        store.chat.createRoom('acme', { room: 'other', owner: 'ann' }),
        store.check(),
      ];
      for (const write of writes) {
        const err = await rejectionOf(write);
        expect(err).toBeInstanceOf(StoreUnavailableError);
        expect((err as StoreUnavailableError).reason).toMatch(/SQLITE_BUSY/);
        expect((err as StoreUnavailableError).message).toMatch(/^store unavailable: /);
      }
      // WAL: readers go on while another connection writes.
      expect(await inbox.unreadCount('acme', 'ann')).toBe(1);
      expect((await inbox.list('acme', 'ann', { limit: 5 })).items).toHaveLength(1);
      expect(await store.chat.members('acme', 'general')).toHaveLength(1);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    await expect(store.check()).resolves.toBeUndefined();
    // The failed create left nothing behind, not even its key.
    const retry = await inbox.create('acme', { users: ['ann'], notification: note, key: 'k' });
    expect(retry.created).toBe(true);
    expect(await inbox.markRead('acme', 'ann', ids)).toEqual(ids);
    expect(await inbox.unreadCount('acme', 'ann')).toBe(1);
  });

  it('refuses to open a file that is not SQLite, naming the file', async () => {
    const path = freshPath();
    writeFileSync(path, Buffer.alloc(8192, 'garbage! '));
    const err = await rejectionOf(SqliteStore.open({ path }));
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain(path);
    expect((err as Error).message).toMatch(/not a database/);
  });

  it('refuses a schema that a newer hubcast migrated, changing nothing', async () => {
    const path = freshPath();
    await (await SqliteStore.open({ path })).close();
    const raw = new Database(path);
    raw
      .prepare(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', '')",
      )
      .run();
    raw.close();
    const err = await rejectionOf(SqliteStore.open({ path }));
    expect((err as Error).message).toContain(path);
    expect((err as Error).message).toMatch(/migration 99 .* knows versions up to/);
    const after = new Database(path);
    expect(after.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(
      SQLITE_MIGRATIONS.length + 1,
    );
    after.close();
  });

  it('finishes the migrations an older hubcast left part way', async () => {
    const path = freshPath();
    const raw = new Database(path);
    expect(migrateSqlite(raw, SQLITE_MIGRATIONS.slice(0, 1))).toBe(1);
    raw.close();
    const messages: string[] = [];
    const store = await SqliteStore.open({ path, onProgress: (m) => messages.push(m) });
    open.push(store);
    expect(messages).toEqual(
      SQLITE_MIGRATIONS.slice(1).map(
        (m, i, rest) => `migrating store: ${i + 1}/${rest.length} ${m.name} (version ${m.version})`,
      ),
    );
    const input = { users: ['ann'], notification: note, key: 'k' };
    expect((await store.notifications.create('acme', input)).created).toBe(true);
    expect((await store.notifications.create('acme', input)).created).toBe(false);
  });

  it("gives the inbox's pushes of an older outbox their channel when migrating to chat", async () => {
    const path = freshPath();
    const raw = new Database(path);
    migrateSqlite(raw, SQLITE_MIGRATIONS.slice(0, 3));
    raw
      .prepare('INSERT INTO push_outbox (org, user_id, data, created_at) VALUES (?, ?, ?, ?)')
      .run('acme', 'ann', '{"type":"notification.read_all"}', 1);
    raw.close();
    const store = await openStore(path);
    expect(await store.notifications.pendingPushes(10)).toEqual([
      {
        id: '1',
        org: 'acme',
        user: 'ann',
        channel: 'user.ann.notifications',
        data: { type: 'notification.read_all' },
      },
    ]);
    // The AUTOINCREMENT outbox goes on counting from there for chat's pushes.
    await store.chat.createRoom('acme', { room: 'general', owner: 'ann' });
    const pending = await store.notifications.pendingPushes(10);
    expect(pending.map((p) => [p.id, p.channel])).toEqual([
      ['1', 'user.ann.notifications'],
      ['2', 'chat.general'],
      ['3', 'user.ann.chat'],
    ]);
  });

  it('rolls a failing migration run back as a whole', () => {
    const raw = new Database(freshPath());
    const broken = [
      ...SQLITE_MIGRATIONS.slice(0, 1),
      { version: 2, name: 'broken', sql: 'CREATE TABLE half (a INTEGER); SELECT nonsense(' },
    ];
    expect(() => migrateSqlite(raw, broken)).toThrow(/syntax error|incomplete input/);
    const tables = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    expect(tables).toEqual([]);
    expect(migrateSqlite(raw, SQLITE_MIGRATIONS)).toBe(SQLITE_MIGRATIONS.length);
    expect(migrateSqlite(raw, SQLITE_MIGRATIONS)).toBe(0);
    raw.close();
  });

  it('keeps its file in WAL mode and makes its directory', async () => {
    const path = join(dir, 'nested', 'deeper', 'store.db');
    await openStore(path);
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });
});

describe('SqliteFollowUps', () => {
  it('claims a follow-up whose stored JSON is bad as unreadable, alone', async () => {
    const path = freshPath();
    const store = await SqliteStore.open({ path });
    try {
      for (const data of [1, 2, 3])
        await store.notifications.create('acme', {
          users: ['ann'],
          notification: note,
          followUp: data,
        });
      const raw = new Database(path);
      raw.prepare("UPDATE notification_follow_ups SET data = '{bad' WHERE id = 2").run();
      raw.close();
      const claimed = await store.followUps.claim(1000, 10, 60_000);
      expect(claimed.map((f) => [f.data, f.unreadable])).toEqual([
        [1, undefined],
        [null, 'SyntaxError reading the stored row'],
        [3, undefined],
      ]);
      // Leased like the others: the relay backs it off or drops it.
      expect(await store.followUps.claim(1001, 10, 60_000)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

describe('isSqliteUnavailable', () => {
  it.each<[code: string | undefined, unavailable: boolean]>([
    ['SQLITE_BUSY', true],
    ['SQLITE_BUSY_SNAPSHOT', true], // extended codes count as their primary code
    ['SQLITE_LOCKED', true],
    ['SQLITE_FULL', true],
    ['SQLITE_IOERR_WRITE', true],
    ['SQLITE_READONLY_DBMOVED', true],
    ['SQLITE_CORRUPT', true],
    ['SQLITE_NOTADB', true],
    ['SQLITE_CANTOPEN', true],
    ['SQLITE_ERROR', false], // a bad statement is a bug, not an outage
    ['SQLITE_CONSTRAINT_PRIMARYKEY', false],
    ['SQLITE_MISMATCH', false],
    ['SQLITE_RANGE', false],
    [undefined, false],
  ])('%s → %s', (code, unavailable) => {
    const err = Object.assign(new Error('x'), code === undefined ? {} : { code });
    expect(isSqliteUnavailable(err)).toBe(unavailable);
  });
});
