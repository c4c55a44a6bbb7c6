import { Client } from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../../test/helpers/postgres.js';
import { startTestNode, type TestNode } from '../../test/helpers/test-node.js';
import { connectClient, publishHttp, terminateAllClients } from '../../test/helpers/ws-client.js';
import { loadConfig } from '../config/load.js';
import { EngineUnavailableError } from '../engine-error.js';
import { describeEventLog } from './log.contract.js';
import type { EventLog } from './log.js';
import { PostgresEventLog, type PostgresLogOptions } from './postgres.js';

let server: PostgresServer;
/** The contract's logs share one database: it closes each log before the next test opens one. */
let contractUrl: string;
beforeAll(async () => {
  server = await startPostgres();
  contractUrl = await server.createDatabase();
});
afterAll(async () => {
  await server?.stop();
});

// A second log open at once on this database would be refused by the writer lock, so an
// overlap fails loudly rather than sharing heads.
describeEventLog('PostgresEventLog', (opts) =>
  PostgresEventLog.open({ url: contractUrl, ...opts }),
);

/** Runs `sql` on the database of `url` with a connection of its own. */
async function sql(url: string, text: string): Promise<unknown[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows }: { rows: unknown[] } = await client.query(text);
    return rows;
  } finally {
    await client.end();
  }
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (err: unknown) => err,
  );
}

describe('PostgresEventLog', () => {
  const open: EventLog[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((log) => log.close()));
  });
  const openLog = async (url: string, extra: Partial<PostgresLogOptions> = {}) => {
    const log = await PostgresEventLog.open({
      url,
      historySize: 100,
      historyTtlSeconds: 3600,
      connectTimeoutMs: 1000,
      queryTimeoutMs: 1000,
      ...extra,
    });
    open.push(log);
    return log;
  };

  it('keeps events, cursors and idempotency keys across a reopen', async () => {
    const url = await server.createDatabase();
    const before = await openLog(url);
    const results = await before.append('acme', [
      { channel: 'a.b', data: { n: 1 }, key: 'k1', from: 'alice' },
      { channel: 'a.c', data: null, key: 'nul\0key', from: 'bob\0\\0' },
    ]);
    const start = before.cursorOf('acme', 0);
    await before.close();
    const calls: (() => Promise<unknown>)[] = [
      () => before.append('acme', [{ channel: 'c', data: 1 }]),
      () => before.read('acme', { from: 'oldest', limit: 1 }),
      () => before.headSeq('acme'),
      () => before.firstSeq('acme'),
      () => before.check(),
    ];
    for (const call of calls) await expect(call()).rejects.toThrow(/^log unavailable: closed$/);

    const after = await openLog(url);
    expect(await after.headSeq('acme')).toBe(2);
    expect(await after.position('acme', results[1]?.event.cursor ?? '')).toBe(2);
    expect(await after.position('acme', start)).toBe(0);
    const { events } = await after.read('acme', { from: 'oldest', limit: 10 });
    expect(events).toEqual(results.map((r) => r.event));
    const again = await after.append('acme', [
      { channel: 'x', data: 2, key: 'k1' },
      { channel: 'x', data: 3, key: 'nul\0key' },
    ]);
    expect(again).toEqual(results.map((r) => ({ event: r.event, duplicate: true })));
    const [next] = await after.append('acme', [{ channel: 'a.b', data: 3 }]);
    expect(next?.event.seq).toBe(3);
  });

  it('commits the appends of one turn as one group, visible only once committed', async () => {
    const log = await openLog(await server.createDatabase());
    const turn = Array.from({ length: 50 }, (_, i) =>
      log.append('acme', [{ channel: 'c', data: i, key: `k${i % 25}` }]),
    );
    expect(await log.headSeq('acme')).toBe(0);
    const results = (await Promise.all(turn)).map(([r]) => [r?.event.seq, r?.duplicate]);
    // The second half repeats the first half's keys inside the same group.
    expect(results).toEqual(Array.from({ length: 50 }, (_, i) => [(i % 25) + 1, i >= 25]));
    expect(await log.headSeq('acme')).toBe(25);
    // Appends made while a group is in flight gather in the next one, in call order.
    const first = log.append('acme', [{ channel: 'c', data: 'a' }]);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [log.append('acme', [{ channel: 'c', data: 'b' }]), log.append('acme', [])];
    expect((await first)[0]?.event.seq).toBe(26);
    expect((await later[0])?.[0]?.event.seq).toBe(27);
    expect(await later[1]).toEqual([]);
  });

  it('gives a new database a new epoch: its cursors do not place elsewhere', async () => {
    const first = await openLog(await server.createDatabase());
    const second = await openLog(await server.createDatabase());
    const [a] = await first.append('acme', [{ channel: 'c', data: 1 }]);
    await second.append('acme', [{ channel: 'c', data: 1 }]);
    expect(await second.position('acme', a?.event.cursor ?? '')).toBeUndefined();
    expect(await second.position('acme', first.cursorOf('acme', 0))).toBeUndefined();
  });

  it('refuses a second writer while the first holds the lock, and takes it once freed', async () => {
    const url = await server.createDatabase();
    const first = await openLog(url);
    const err = await rejectionOf(openLog(url));
    expect((err as Error).message).toMatch(
      /^cannot open the event log in 127\.0\.0\.1:\d+\/test_\d+: another hubcast node writes the event log in 127\.0\.0\.1:\d+\/test_\d+$/,
    );
    await first.append('acme', [{ channel: 'c', data: 1 }]);
    await first.close();
    const second = await openLog(url);
    const [next] = await second.append('acme', [{ channel: 'c', data: 2 }]);
    expect(next?.event.seq).toBe(2);
  });

  it('refuses to open where no server listens, naming the target but not the password', async () => {
    const err = await rejectionOf(openLog('postgres://hub:s3cret-pw@127.0.0.1:1/events'));
    expect((err as Error).message).toMatch(
      /^cannot open the event log in 127\.0\.0\.1:1\/events: /,
    );
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
    expect((err as Error).message).not.toContain('s3cret-pw');
  });

  it('fails fast while PostgreSQL is down, loses nothing acknowledged, and recovers', async () => {
    const log = await openLog(await server.createDatabase());
    const acked = new Map<number, string>();
    let reached = (): void => undefined;
    const enoughAcked = new Promise<void>((resolve) => (reached = resolve));
    // Four writers append one event at a time until their first failure, so the kill lands
    // on commits in flight.
    const writer = async (w: number): Promise<unknown> => {
      for (let i = 0; ; i++) {
        try {
          const [result] = await log.append('acme', [{ channel: 'c', data: { w, i } }]);
          if (result !== undefined) acked.set(result.event.seq, result.event.eventId);
          if (acked.size >= 40) reached();
        } catch (err) {
          return err;
        }
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    await enoughAcked;
    await server.kill();
    try {
      const failures = await Promise.all(writers);
      expect(failures.every((err) => err instanceof EngineUnavailableError)).toBe(true);
      const startedMs = Date.now();
      const err = await rejectionOf(log.append('acme', [{ channel: 'c', data: 'down' }]));
      expect(err).toBeInstanceOf(EngineUnavailableError);
      expect((err as EngineUnavailableError).part).toBe('log');
      const checked = await rejectionOf(log.check());
      expect((checked as EngineUnavailableError).reason).toMatch(/ECONNREFUSED/);
      await expect(log.read('acme', { from: 'oldest', limit: 5 })).rejects.toBeInstanceOf(
        EngineUnavailableError,
      );
      expect(Date.now() - startedMs).toBeLessThan(1000);
    } finally {
      await server.restart();
    }
    await expect(log.check()).resolves.toBeUndefined();
    const head = await log.headSeq('acme');
    expect(head).toBeGreaterThanOrEqual(Math.max(...acked.keys()));
    const [after] = await log.append('acme', [{ channel: 'c', data: 'back' }]);
    expect(after?.event.seq).toBe(head + 1);
    const { events } = await log.read('acme', { from: 'oldest', limit: 1000 });
    // No gap, and every acknowledged event is there as it was acknowledged.
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: head + 1 }, (_, i) => i + 1));
    for (const [seq, eventId] of acked) expect(events[seq - 1]?.eventId).toBe(eventId);
  });

  it('takes its lock again after its connection was cut, before writing', async () => {
    const url = await server.createDatabase();
    const log = await openLog(url);
    await log.append('acme', [{ channel: 'c', data: 1 }]);
    // Ends the writer's session, and with it the lock, as a network cut would.
    await sql(
      url,
      `SELECT pg_terminate_backend(pid, 5000) FROM pg_locks
       WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database
                                                   WHERE datname = current_database())`,
    );
    await expect(log.check()).resolves.toBeUndefined();
    // It holds the lock again: a second writer is refused.
    await expect(openLog(url)).rejects.toThrow(/another hubcast node writes/);
    const [next] = await log.append('acme', [{ channel: 'c', data: 2 }]);
    expect(next?.event.seq).toBe(2);
  });

  it('refuses to write on a head another writer moved, then reloads and goes on', async () => {
    const url = await server.createDatabase();
    const log = await openLog(url);
    await log.append('acme', [{ channel: 'c', data: 1 }]);
    // What a second writer would leave behind: a head this log has not seen.
    await sql(url, "UPDATE log_orgs SET head = 5 WHERE org = 'acme'");
    const err = await rejectionOf(log.append('acme', [{ channel: 'c', data: 2 }]));
    expect(err).toBeInstanceOf(EngineUnavailableError);
    expect(String(err)).toMatch(/another writer moved the event log/);
    expect(await log.headSeq('acme')).toBe(1);
    const [next] = await log.append('acme', [{ channel: 'c', data: 3 }]);
    expect(next?.event.seq).toBe(6);
    expect(await log.headSeq('acme')).toBe(6);
  });

  it('deletes rows out of retention at the next commit, so the table stays bounded', async () => {
    const url = await server.createDatabase();
    const log = await openLog(url, { historySize: 10 });
    for (let i = 0; i < 5; i++) {
      await log.append(
        'acme',
        Array.from({ length: 6 }, (_, j) => ({ channel: 'c', data: j, key: `k${i}-${j}` })),
      );
    }
    expect(
      await sql(url, 'SELECT count(*)::int AS n, min(seq)::int AS lo FROM log_events'),
    ).toEqual([{ n: 10, lo: 21 }]);
  });

  it('sweeps rows past the TTL of orgs that stopped writing', async () => {
    const url = await server.createDatabase();
    let nowMs = Date.UTC(2026, 0, 1);
    const log = await openLog(url, { historyTtlSeconds: 60, now: () => nowMs });
    await log.append('idle', [{ channel: 'c', data: 1 }]);
    nowMs += 30_000;
    await log.append('busy', [{ channel: 'c', data: 2 }]);
    nowMs += 45_000;
    await log.sweep();
    // 'idle' is 75 s old and goes; 'busy' is 45 s old and stays.
    expect(await sql(url, 'SELECT org FROM log_events')).toEqual([{ org: 'busy' }]);
    expect(await log.firstSeq('idle')).toBe(2);
  });
});

describe('a node on the PostgreSQL log and store', () => {
  let node: TestNode | undefined;
  afterEach(async () => {
    terminateAllClients();
    await node?.stop();
  });

  it('needs a connection string', () => {
    expect(() => loadConfig({ flags: { dev: true, log: 'postgres' }, env: {} })).toThrow(
      /--log postgres needs --postgres-url/,
    );
  });

  it('publishes, and resumes a client across stop and start', async () => {
    node = await startTestNode({
      log: 'postgres',
      store: 'postgres',
      postgresUrl: await server.createDatabase(),
    });
    const first = await publishHttp(node, 'acme', 'room.a', { n: 1 }, 'k1');
    const second = await publishHttp(node, 'acme', 'room.a', { n: 2 });
    await node.node.stop();
    await node.node.start();
    const port = node.node.address().port;
    const restarted = {
      ...node,
      wsUrl: `ws://127.0.0.1:${port}/ws`,
      httpUrl: `http://127.0.0.1:${port}`,
    };

    const client = await connectClient(
      restarted,
      { sub: 'ann', org: 'acme' },
      { cursor: first.cursor, subscriptions: ['room.>'] },
    );
    expect(client.connected.resumed).toBe(true);
    expect(await client.next('event')).toMatchObject({
      event_id: second.event_id,
      cursor: second.cursor,
      data: { n: 2 },
    });
    const again = await publishHttp(restarted, 'acme', 'room.b', { n: 9 }, 'k1');
    expect(again).toEqual({ ...first, duplicate: true });
    await publishHttp(restarted, 'acme', 'room.a', { n: 3 });
    expect(await client.next('event')).toMatchObject({ data: { n: 3 } });
  });
});
