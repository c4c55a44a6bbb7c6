import { Client } from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../../test/helpers/postgres.js';
import { describeChatStore } from './chat-store.contract.js';
import { describePostgresError, isPostgresUnavailable } from './postgres-errors.js';
import { migratePostgres, PostgresStore } from './postgres.js';
import { POSTGRES_MIGRATIONS } from './postgres-schema.js';
import type { StoreTargetFactory } from './store-kit.contract.js';
import { describeStoreLifecycle } from './store-lifecycle.contract.js';
import { describeStore } from './store.contract.js';
import { describePushStore } from './push-store.contract.js';
import { describeWebhookStore } from './webhook-store.contract.js';
import { describeFollowUpStore } from './follow-up-store.contract.js';
import { StoreUnavailableError, type Store } from './store.js';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
});

const newTarget: StoreTargetFactory = async () => {
  const url = await server.createDatabase();
  return { open: (options) => PostgresStore.open({ url, ...options }) };
};

describeStore('PostgresStore', newTarget);
describeWebhookStore('PostgresStore', newTarget);
describeStoreLifecycle('PostgresStore', newTarget);
describePushStore('PostgresStore', newTarget, { sharedTarget: true });
describeChatStore('PostgresStore', newTarget);
describeFollowUpStore('PostgresStore', newTarget, { sharedTarget: true });

const note = { kind: 'mention', title: 't' };

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (err: unknown) => err,
  );
}

describe('PostgresStore', () => {
  const open: Store[] = [];
  afterEach(async () => {
    server.thaw();
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  const openStore = async (url: string, timeoutsMs: number) => {
    const store = await PostgresStore.open({
      url,
      connectTimeoutMs: timeoutsMs,
      queryTimeoutMs: timeoutsMs,
    });
    open.push(store);
    return store;
  };

  it('lets exactly one of two nodes drain each push, in order', async () => {
    const url = await server.createDatabase();
    const [a, b] = [await openStore(url, 5000), await openStore(url, 5000)];
    for (let i = 0; i < 40; i++)
      await a.notifications.create('acme', { users: [`u${i % 3}`], notification: note });
    const taken: string[] = [];
    const drain = async (store: Store): Promise<void> => {
      for (;;) {
        const n = await store.notifications.drainPushes(7, async (batch) => {
          // Yields while holding the batch, so the other node's drain tries to take it.
          await new Promise((resolve) => setImmediate(resolve));
          taken.push(...batch.map((p) => p.id));
        });
        if (n === 0) return;
      }
    };
    await Promise.all([drain(a), drain(b)]);
    expect(taken).toHaveLength(40);
    expect(taken.map(Number)).toEqual([...taken.map(Number)].sort((x, y) => x - y));
  });

  it('runs the checks of concurrent chat changes on two nodes one after the other', async () => {
    const url = await server.createDatabase();
    const [a, b] = [await openStore(url, 5000), await openStore(url, 5000)];
    await a.chat.createRoom('acme', { room: 'g', owner: 'ann', members: ['bob', 'cy'] });
    await a.chat.setRole('acme', 'g', 'bob', 'owner', 'ann');
    // Both owners leave at once: one must stay while cy does.
    const leaves = await Promise.allSettled([
      a.chat.removeMember('acme', 'g', 'ann', 'ann'),
      b.chat.removeMember('acme', 'g', 'bob', 'bob'),
    ]);
    expect(leaves.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = leaves.find((r) => r.status === 'rejected');
    expect((refused as PromiseRejectedResult).reason).toMatchObject({ code: 'conflict' });
    expect((await a.chat.members('acme', 'g')).filter((m) => m.role === 'owner')).toHaveLength(1);
    // The same client id from two nodes at once: one message, the other a duplicate of it.
    const send = { room: 'g', user: 'cy', text: 'hi', clientId: 'c1' };
    const sends = await Promise.all([a.chat.send('acme', send), b.chat.send('acme', send)]);
    expect(sends.map((s) => s.duplicate).sort()).toEqual([false, true]);
    expect(sends[0]?.message).toEqual(sends[1]?.message);
    // Concurrent sends get distinct ids, and their pushes enter the outbox in id order.
    const many = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? a : b).chat.send('acme', { room: 'g', user: 'cy', text: `m${i}` }),
      ),
    );
    expect(new Set(many.map((s) => s.message.id)).size).toBe(10);
    const pushed = (await a.notifications.pendingPushes(1000))
      .filter((p) => (p.data as { type?: string }).type === 'chat.message')
      .map((p) => Number((p.data as { message: { id: string } }).message.id));
    expect(pushed).toEqual([...pushed].sort((x, y) => x - y));
  });

  it("gives the inbox's pushes of an older outbox their channel when migrating to chat", async () => {
    const url = await server.createDatabase();
    await migratePostgres(url, POSTGRES_MIGRATIONS.slice(0, 3));
    const client = new Client({ connectionString: url });
    await client.connect();
    await client.query(
      `INSERT INTO push_outbox (org, user_id, data) VALUES ('acme', 'ann', '{"type":"x"}')`,
    );
    await client.end();
    const store = await openStore(url, 5000);
    expect(await store.notifications.pendingPushes(10)).toEqual([
      { id: '1', org: 'acme', user: 'ann', channel: 'user.ann.notifications', data: { type: 'x' } },
    ]);
  });

  it('fails at once while the server is down, says why, and works again once it is back', async () => {
    const store = await openStore(await server.createDatabase(), 2000);
    const inbox = store.notifications;
    const { ids } = await inbox.create('acme', { users: ['ann'], notification: note });
    await server.kill();
    try {
      const calls: Promise<unknown>[] = [
        inbox.create('acme', { users: ['ann'], notification: note, key: 'k' }),
        inbox.list('acme', 'ann', { limit: 5 }),
        inbox.markRead('acme', 'ann', ids),
        inbox.markAllRead('acme', 'ann'),
        inbox.unreadCount('acme', 'ann'),
        store.check(),
      ];
      for (const call of calls) {
        const err = await rejectionOf(call);
        expect(err).toBeInstanceOf(StoreUnavailableError);
        expect((err as StoreUnavailableError).reason).not.toBe('');
      }
      const err = await rejectionOf(store.check());
      expect((err as StoreUnavailableError).reason).toMatch(/ECONNREFUSED/);
      expect((err as StoreUnavailableError).part).toBe('store');
    } finally {
      await server.restart();
    }
    // The same store, no reopen: the pool connects anew.
    await expect(store.check()).resolves.toBeUndefined();
    const retry = await inbox.create('acme', { users: ['ann'], notification: note, key: 'k' });
    expect(retry.created).toBe(true);
    expect(await inbox.unreadCount('acme', 'ann')).toBe(2);
  });

  it('fails within its timeouts when the server stops answering, then recovers', async () => {
    const store = await openStore(await server.createDatabase(), 300);
    const inbox = store.notifications;
    expect(await inbox.unreadCount('acme', 'ann')).toBe(0); // leaves an idle connection
    server.freeze();
    const errors = await Promise.all(
      [
        store.check(), // on the idle connection: the query times out
        inbox.list('acme', 'ann', { limit: 5 }), // on new connections: the connect times out
        inbox.create('acme', { users: ['ann'], notification: note, key: 'k' }),
      ].map(rejectionOf),
    );
    server.thaw();
    for (const err of errors) {
      expect(err).toBeInstanceOf(StoreUnavailableError);
      expect((err as StoreUnavailableError).reason).toMatch(/timeout/i);
    }
    await expect(store.check()).resolves.toBeUndefined();
    const retry = await inbox.create('acme', { users: ['ann'], notification: note, key: 'k' });
    expect(retry.created).toBe(true);
  });

  it('refuses to open where no server listens, naming the target but not the password', async () => {
    const err = await rejectionOf(
      PostgresStore.open({
        url: 'postgres://hub:s3cret-pw@127.0.0.1:1/inbox',
        connectTimeoutMs: 1000,
      }),
    );
    expect((err as Error).message).toMatch(
      /^cannot open the store at postgres 127\.0\.0\.1:1\/inbox: /,
    );
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
    expect((err as Error).message).not.toContain('s3cret-pw');
  });

  it('refuses a schema that a newer hubcast migrated', async () => {
    const url = await server.createDatabase();
    await (await PostgresStore.open({ url })).close();
    const client = new Client({ connectionString: url });
    await client.connect();
    await client.query("INSERT INTO schema_migrations (version, name) VALUES (99, 'future')");
    await client.end();
    const err = await rejectionOf(PostgresStore.open({ url }));
    expect((err as Error).message).toMatch(/migration 99 .* knows versions up to/);
  });

  it('runs a migration batch in one transaction: a failure leaves no table behind', async () => {
    const url = await server.createDatabase();
    const broken = [
      ...POSTGRES_MIGRATIONS.slice(0, 1),
      { version: 2, name: 'broken', sql: 'CREATE TABLE half (a int); SELECT nonsense(' },
    ];
    await expect(migratePostgres(url, broken)).rejects.toThrow(/syntax error/);
    const client = new Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
    );
    await client.end();
    expect(rows).toEqual([]);
    expect(await migratePostgres(url, POSTGRES_MIGRATIONS)).toBe(POSTGRES_MIGRATIONS.length);
  });
});

describe('PostgresFollowUps', () => {
  it('claims a follow-up whose stored JSON is bad as unreadable, alone', async () => {
    const url = await server.createDatabase();
    const store = await PostgresStore.open({ url });
    try {
      for (const data of [1, 2, 3])
        await store.notifications.create('acme', {
          users: ['ann'],
          notification: note,
          followUp: data,
        });
      const client = new Client({ connectionString: url });
      await client.connect();
      await client.query("UPDATE notification_follow_ups SET data = '{bad' WHERE id = 2");
      await client.end();
      const claimed = await store.followUps.claim(1000, 10, 60_000);
      expect(claimed.map((f) => [f.data, f.unreadable])).toEqual([
        [1, undefined],
        [null, 'SyntaxError reading the stored row'],
        [3, undefined],
      ]);
      // The claim committed for all three: the bad one is leased like the others.
      expect(await store.followUps.claim(1001, 10, 60_000)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

describe('isPostgresUnavailable', () => {
  const withCode = (code: string, message = 'x'): Error =>
    Object.assign(new Error(message), { code });
  it.each<[label: string, err: unknown, unavailable: boolean]>([
    ['connection refused', withCode('ECONNREFUSED'), true],
    ['connection reset', withCode('ECONNRESET'), true],
    ['unknown host', withCode('ENOTFOUND'), true],
    ['admin shutdown', withCode('57P01'), true],
    ['cannot connect now (starting up)', withCode('57P03'), true],
    ['statement timeout', withCode('57014'), true],
    ['disk full', withCode('53100'), true],
    ['too many connections', withCode('53300'), true],
    ['connection failure', withCode('08006'), true],
    ['wrong password', withCode('28P01'), true],
    ['no such database', withCode('3D000'), true],
    ['lock timeout', withCode('55P03'), true],
    ['deadlock', withCode('40P01'), true],
    ['unique violation', withCode('23505'), false], // a bug or a race to handle, not an outage
    ['undefined table', withCode('42P01'), false],
    ['bad input syntax', withCode('22P02'), false],
    ['pg: terminated', new Error('Connection terminated unexpectedly'), true],
    ['pg: connect timeout', new Error('timeout exceeded when trying to connect'), true],
    ['pg: query timeout', new Error('Query read timeout'), true],
    [
      'pg: broken client',
      new Error('Client has encountered a connection error and is not queryable'),
      true,
    ],
    ['a plain error', new Error('boom'), false],
    ['not an error', 'ECONNREFUSED', false],
  ])('%s → %s', (_label, err, unavailable) => {
    expect(isPostgresUnavailable(err)).toBe(unavailable);
  });
});

describe('describePostgresError', () => {
  it('spells out an AggregateError of several addresses', () => {
    const err = Object.assign(
      new AggregateError(
        [
          new Error('connect ECONNREFUSED ::1:5432'),
          new Error('connect ECONNREFUSED 127.0.0.1:5432'),
        ],
        '',
      ),
      { code: 'ECONNREFUSED' },
    );
    expect(isPostgresUnavailable(err)).toBe(true);
    expect(describePostgresError(err)).toBe(
      'connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432',
    );
  });

  it('adds the code when the message lacks it', () => {
    expect(describePostgresError(Object.assign(new Error('disk full'), { code: '53100' }))).toBe(
      'disk full (53100)',
    );
  });
});
