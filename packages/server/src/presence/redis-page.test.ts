/**
 * `RedisPresence.membersPage` beyond the contract: entries of a dead node are left out of the
 * page and of an exact count, and the order index heals itself when written by a node that did
 * not keep it (a rolling upgrade from before it existed).
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PresenceNodes, eventually, freshPrefix } from '../../test/helpers/presence-nodes.js';
import { startRedis, type RedisServer } from '../../test/helpers/redis.js';

let server: RedisServer;
const nodes = new PresenceNodes(() => server.url);
beforeAll(async () => {
  server = await startRedis();
});
afterEach(() => nodes.closeAll());
afterAll(() => server.stop());

async function withRedis<T>(use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(server.url);
  try {
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

describe('RedisPresence.membersPage', () => {
  it("leaves out a dead node's entries, in the page and in an exact count", async () => {
    const prefix = freshPrefix();
    const doomed = (await nodes.start({ prefix, nodeId: 'doomed' })).presence;
    const alive = (await nodes.start({ prefix, nodeId: 'alive', nodeTtlMs: 60_000 })).presence;
    await doomed.add('acme', 'room', 'd1', { user: 'ann' });
    await doomed.add('acme', 'room', 'd2', { user: 'bob', device: 'phone' });
    await alive.add('acme', 'room', 'a1', { user: 'bob', device: 'laptop' });
    await alive.add('acme', 'room', 'a2', { user: 'cid' });
    expect((await alive.membersPage('acme', 'room', 10)).count).toBe(3);
    // Stops beating, as a crash would; a reader that never reaps sees its deadline pass.
    await doomed.close();
    const reader = nodes.create({ prefix, nodeId: 'reader' });
    await eventually(async () =>
      expect(await reader.membersPage('acme', 'room', 10)).toEqual({
        members: [
          { user: 'bob', connections: 1, devices: ['laptop'] },
          { user: 'cid', connections: 1, devices: [] },
        ],
        count: 2,
      }),
    );
  });

  it('rebuilds the order index when it does not match the entries, and drops stale members', async () => {
    const prefix = freshPrefix();
    const { presence } = await nodes.start({ prefix });
    for (const user of ['c', 'a', 'b']) await presence.add('acme', 'room', `s-${user}`, { user });
    const order = `${prefix}:{acme}:presence-order:room`;
    // As a node from before the index would leave it: no index at all.
    await withRedis((redis) => redis.del(order));
    expect(await presence.membersPage('acme', 'room', 2)).toEqual({
      members: [
        { user: 'a', connections: 1, devices: [] },
        { user: 'b', connections: 1, devices: [] },
      ],
      count: 3,
    });
    expect(await withRedis((redis) => redis.zcard(order))).toBe(3);
    // An old node's remove: entry gone, index member left, and another entry added meanwhile.
    await withRedis(async (redis) => {
      const [field] = (await redis.hkeys(`${prefix}:{acme}:presence:room`)).filter((f) =>
        f.endsWith('|s-a'),
      );
      await redis.hdel(`${prefix}:{acme}:presence:room`, field ?? '');
      await redis.hincrby(`${prefix}:{acme}:presence-users:room`, 'a', -1);
      await redis.hdel(`${prefix}:{acme}:presence-users:room`, 'a');
    });
    await presence.add('acme', 'room', 's-d', { user: 'd' });
    expect(await presence.membersPage('acme', 'room', 10)).toEqual({
      members: ['b', 'c', 'd'].map((user) => ({ user, connections: 1, devices: [] })),
      count: 3,
    });
  });

  it("keeps no order index for the node's internal channels, which nobody pages", async () => {
    const prefix = freshPrefix();
    const { presence } = await nodes.start({ prefix });
    await presence.add('acme', '~connections.alice', 's1', { user: 'alice' });
    await presence.add('acme', 'room', 's1', { user: 'alice' });
    const keys = await nodes.keysUnder(prefix);
    expect(keys).toContain(`${prefix}:{acme}:presence-order:room`);
    expect(keys).not.toContain(`${prefix}:{acme}:presence-order:~connections.alice`);
    expect(await presence.members('acme', '~connections.alice')).toEqual([
      { user: 'alice', connections: 1, devices: [] },
    ]);
    expect(await presence.remove('acme', '~connections.alice', 's1')).toEqual({
      lastForUser: true,
      user: 'alice',
    });
  });

  it('writes an updated entry again, with its new info, when Redis lost its data', async () => {
    const node = await nodes.start({ prefix: freshPrefix() });
    await node.presence.add('acme', 'room', 's1', { user: 'alice', info: 'hi', infoAtMs: 1 });
    // A new object, as an engine that copies its entries would get.
    const away = { user: 'alice', info: 'away', infoAtMs: 2 };
    expect(await node.presence.update('acme', 'room', 's1', away)).toBe(true);
    expect(await server.command('FLUSHALL')).toBe('+OK\r\n');
    await node.restored.until((joined) => joined.length >= 1);
    expect(node.restored.items).toEqual([
      { org: 'acme', channel: 'room', user: 'alice', info: 'away' },
    ]);
    expect(await node.presence.membersPage('acme', 'room', 10)).toEqual({
      members: [{ user: 'alice', info: 'away', connections: 1, devices: [] }],
      count: 1,
    });
  });
});
