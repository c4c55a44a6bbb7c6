import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../../test/helpers/redis.js';
import { EngineUnavailableError } from '../engine-error.js';
import { connectRedis } from '../redis/connect.js';
import { RedisKeys } from '../redis/keys.js';
import { describeEventLog } from './log.contract.js';
import { RedisEventLog, type RedisLogOptions } from './redis.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.stop();
});

async function openLog(
  options: Omit<RedisLogOptions, 'redis' | 'keys' | 'nodeId'> & { prefix?: string },
): Promise<RedisEventLog> {
  const { prefix = 'hc', ...rest } = options;
  return RedisEventLog.open({
    redis: await connectRedis({ url: server.url, name: 'log', commandTimeoutMs: 2000 }),
    keys: new RedisKeys(prefix),
    nodeId: 'test-node',
    ...rest,
  });
}

// Logs of one prefix share the Redis, like the nodes of a cluster; the contract's orgs are fresh.
describeEventLog('RedisEventLog', (opts) => openLog(opts));

describe('RedisEventLog', () => {
  const retention = { historySize: 100, historyTtlSeconds: 3600 };

  it('is one log for every node: seqs and keys are shared, cursors place on either', async () => {
    const a = await openLog(retention);
    const b = await openLog(retention);
    try {
      const [first] = await a.append('acme-shared', [{ channel: 'c', data: 1, key: 'k1' }]);
      const [second] = await b.append('acme-shared', [{ channel: 'c', data: 2 }]);
      const [again] = await b.append('acme-shared', [{ channel: 'c', data: 3, key: 'k1' }]);
      expect([first?.event.seq, second?.event.seq]).toEqual([1, 2]);
      expect(again).toMatchObject({
        duplicate: true,
        event: { seq: 1, eventId: first?.event.eventId },
      });
      expect(await b.position('acme-shared', first?.event.cursor ?? '')).toBe(1);
      expect(await a.position('acme-shared', second?.event.cursor ?? '')).toBe(2);
      const read = await a.read('acme-shared', { from: 'oldest', limit: 10 });
      expect(read.events.map((e) => [e.seq, e.dataJson])).toEqual([
        [1, '1'],
        [2, '2'],
      ]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('keeps every acknowledged event across a Redis crash (AOF, fsync always)', async () => {
    const log = await openLog({ ...retention, prefix: 'crash' });
    const acked = await log.append('acme', [
      { channel: 'c', data: 'a' },
      { channel: 'c', data: 'b', key: 'kb' },
    ]);
    await server.kill();
    await expect(log.append('acme', [{ channel: 'c', data: 'lost?' }])).rejects.toBeInstanceOf(
      EngineUnavailableError,
    );
    await server.restart();
    // The connection comes back by itself; the first calls may still see it down.
    let head = -1;
    for (let i = 0; i < 100 && head < 0; i++)
      head = await log.headSeq('acme').catch(async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        return -1;
      });
    expect(head).toBe(2);
    const read = await log.read('acme', { from: 'oldest', limit: 10 });
    expect(read.events.map((e) => e.cursor)).toEqual(acked.map((r) => r.event.cursor));
    const [dup] = await log.append('acme', [{ channel: 'c', data: 'again', key: 'kb' }]);
    expect(dup?.duplicate).toBe(true);
    await log.close();
  });

  it('starts a new epoch when Redis lost its data: old cursors no longer place', async () => {
    const log = await openLog({ ...retention, prefix: 'wiped' });
    const [old] = await log.append('acme', [{ channel: 'c', data: 1 }]);
    await server.command('FLUSHALL');
    expect(await log.headSeq('acme')).toBe(0);
    expect(await log.position('acme', old?.event.cursor ?? '')).toBeUndefined();
    const [fresh] = await log.append('acme', [{ channel: 'c', data: 2 }]);
    expect(fresh?.event.seq).toBe(1);
    expect(fresh?.event.cursor).not.toBe(old?.event.cursor);
    expect(fresh?.event.eventId).not.toBe(old?.event.eventId);
    await log.close();
  });

  it('sweeps the expired events of orgs nobody touches any more, on one node at a time', async () => {
    let nowMs = 1_700_000_000_000;
    const options = { historySize: 100, historyTtlSeconds: 60, prefix: 'swept', now: () => nowMs };
    const [a, b] = [await openLog(options), await openLog(options)];
    await a.append('idle-1', [{ channel: 'c', data: 1 }]);
    await a.append('idle-2', [{ channel: 'c', data: 2 }]);
    nowMs += 61_000;
    const swept = [await a.sweep(10_000), await b.sweep(10_000)];
    // The first takes the period's lock; the second finds it taken.
    expect(swept).toEqual([2, 0]);
    expect(await server.command('XLEN', 'swept:{idle-1}:log')).toBe(':0\r\n');
    expect(await server.command('XLEN', 'swept:{idle-2}:log')).toBe(':0\r\n');
    expect(await a.headSeq('idle-1')).toBe(1);
    await Promise.all([a.close(), b.close()]);
  });

  it('answers EngineUnavailableError when Redis cannot be reached at open', async () => {
    await expect(connectRedis({ url: 'redis://127.0.0.1:1', name: 'log' })).rejects.toMatchObject({
      name: 'EngineUnavailableError',
      part: 'log',
      code: 'unreachable',
    });
  });
});
