import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  PresenceNodes,
  eventually,
  freshPrefix,
  sortedMembers,
  usersOf,
  within,
} from '../../test/helpers/presence-nodes.js';
import { startRedis, type RedisServer } from '../../test/helpers/redis.js';
import { EngineUnavailableError } from '../engine-error.js';
import type { PresenceChange } from './presence.js';

// RedisPresence when nodes die or Redis goes away: the heartbeat and the reaper. Nodes beat
// with a 300 ms TTL, every 100 ms; each case has its own key prefix. The server is killed and
// frozen below, so the file has one of its own.
let server: RedisServer;
const nodes = new PresenceNodes(() => server.url);
beforeAll(async () => {
  server = await startRedis();
});
afterEach(() => nodes.closeAll());
afterAll(() => server.stop());

describe('RedisPresence node expiry', () => {
  it('stops listing a silent node at once, then a live node reports its members as left', async () => {
    const prefix = freshPrefix();
    const crashed = (await nodes.start({ prefix, nodeId: 'crashed' })).presence;
    const info = { name: 'Alice' };
    await crashed.add('acme', 'room', 's1', { user: 'alice', info });
    await crashed.add('acme', 'room', 's2', { user: 'alice', device: 'phone', info });
    await crashed.add('acme', 'room', 's3', { user: 'bob' });
    await crashed.add('acme', 'hall', 's1', { user: 'alice', info });
    await crashed.add('other', 'room', 's4', { user: 'dave' });
    // An observer that reads but never beats, so it reaps nothing.
    const observer = nodes.create({ prefix, nodeId: 'observer' });
    expect(await observer.members('acme', 'room')).toHaveLength(2);
    await crashed.close(); // stops beating and leaves its entries, as a crash would
    await eventually(async () => expect(await observer.members('acme', 'room')).toEqual([]));
    // Not listed, yet still there: nobody has reaped them.
    expect(await nodes.keysUnder(prefix)).toContain(`${prefix}:{acme}:presence:room`);

    const survivor = await nodes.start({ prefix, nodeId: 'survivor' });
    await survivor.presence.add('acme', 'room', 's9', { user: 'carol' });
    await survivor.expired.until((left) => left.length >= 4);
    expect(usersOf(survivor.expired.items)).toEqual([
      'hall/alice',
      'room/alice',
      'room/bob',
      'room/dave',
    ]);
    expect(survivor.expired.items).toContainEqual({
      org: 'acme',
      channel: 'room',
      user: 'alice',
      info,
    });
    expect(survivor.expired.items.find((c) => c.user === 'dave')?.org).toBe('other');
    expect(await observer.members('acme', 'room')).toEqual([
      { user: 'carol', connections: 1, devices: [] },
    ]);
    // Nothing of the dead node is left: entries, counts, indexes, heartbeat, claim.
    const keys = await nodes.keysUnder(prefix);
    expect(keys.filter((k) => k.includes('crashed'))).toEqual([]);
    expect(keys).not.toContain(`${prefix}:{presence}:reaping`);
    expect(keys).not.toContain(`${prefix}:{acme}:presence-users:hall`);
  });

  it('has exactly one of two survivors report each member of a dead node', async () => {
    const prefix = freshPrefix();
    const crashed = (await nodes.start({ prefix, nodeId: 'crashed' })).presence;
    const expected: string[] = [];
    for (let i = 0; i < 60; i++) {
      const channel = `room.${i % 3}`;
      await crashed.add('acme', channel, `s${i}`, { user: `u${i}` });
      expected.push(`${channel}/u${i}`);
    }
    const survivors = [
      await nodes.start({ prefix, nodeId: 'b' }),
      await nodes.start({ prefix, nodeId: 'c' }),
    ];
    await crashed.close();
    const reported = (): PresenceChange[] => survivors.flatMap((s) => s.expired.items);
    await Promise.race(survivors.map((s) => s.expired.until(() => reported().length >= 60)));
    // Once the dead node's index is gone, nothing is left to report a second time.
    await eventually(async () => {
      expect((await nodes.keysUnder(prefix)).filter((k) => k.includes('crashed'))).toEqual([]);
    });
    expect(usersOf(reported())).toEqual(expected.sort());
  });

  it("reaps a crashed predecessor's entries when a node restarts under its id", async () => {
    const prefix = freshPrefix();
    const before = (await nodes.start({ prefix, nodeId: 'n1' })).presence;
    await before.add('acme', 'room', 's1', { user: 'alice' });
    await before.close();
    const after = await nodes.start({ prefix, nodeId: 'n1' });
    // The new process does not adopt the old one's entries: it reports them as left.
    await after.expired.until((left) => left.length >= 1);
    expect(after.expired.items).toEqual([{ org: 'acme', channel: 'room', user: 'alice' }]);
    expect(await after.presence.add('acme', 'room', 's2', { user: 'alice' })).toEqual({
      firstForUser: true,
    });
  });

  it('writes its entries again and reports them as joined when Redis lost them', async () => {
    const prefix = freshPrefix();
    const node = await nodes.start({ prefix });
    await node.presence.add('acme', 'room', 's1', { user: 'alice', info: 'hi' });
    await node.presence.add('acme', 'room', 's2', { user: 'bob' });
    await node.presence.remove('acme', 'room', 's2');
    // As a Redis restarted without its data, or a failover to an empty replica.
    expect(await server.command('FLUSHALL')).toBe('+OK\r\n');
    await node.restored.until((joined) => joined.length >= 1);
    expect(node.restored.items).toEqual([
      { org: 'acme', channel: 'room', user: 'alice', info: 'hi' },
    ]);
    expect(await node.presence.members('acme', 'room')).toEqual([
      { user: 'alice', info: 'hi', connections: 1, devices: [] },
    ]);
    expect(await node.presence.remove('acme', 'room', 's1')).toEqual({
      lastForUser: true,
      user: 'alice',
    });
  });
});

describe('RedisPresence when Redis goes away', () => {
  it('rejects with EngineUnavailableError at once, and works again after a restart', async () => {
    const p = (await nodes.start({ prefix: freshPrefix(), nodeTtlMs: 1000 })).presence;
    await p.add('acme', 'room', 's1', { user: 'alice' });
    await server.kill();
    const calls: (() => Promise<unknown>)[] = [
      () => p.add('acme', 'room', 's2', { user: 'bob' }),
      () => p.remove('acme', 'room', 's1'),
      () => p.members('acme', 'room'),
    ];
    for (const call of calls) {
      const err: unknown = await within(call(), 1000).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EngineUnavailableError);
      expect(err).toMatchObject({ part: 'presence', code: 'unreachable' });
    }
    await server.restart();
    // Back once reconnected (every 50 ms) and a beat has renewed the lease.
    await eventually(() => p.add('acme', 'room', 's2', { user: 'bob' }));
    // The append-only file kept what was there.
    expect(sortedMembers(await p.members('acme', 'room'))).toEqual([
      { user: 'alice', connections: 1, devices: [] },
      { user: 'bob', connections: 1, devices: [] },
    ]);
  });

  it('rejects with a timeout when Redis takes the call and never answers', async () => {
    const node = await nodes.start({
      prefix: freshPrefix(),
      nodeTtlMs: 3000,
      commandTimeoutMs: 200,
    });
    server.freeze();
    try {
      const err: unknown = await within(node.presence.members('acme', 'room'), 2000).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(EngineUnavailableError);
      expect(err).toMatchObject({ code: 'timeout' });
    } finally {
      server.thaw();
    }
    await eventually(() => node.presence.members('acme', 'room'));
  });

  it('reaps no live node after an outage longer than the TTL', async () => {
    const prefix = freshPrefix();
    const a = await nodes.start({ prefix, nodeId: 'a' });
    const b = await nodes.start({ prefix, nodeId: 'b' });
    await a.presence.add('acme', 'room', 's1', { user: 'alice' });
    await b.presence.add('acme', 'room', 's2', { user: 'bob' });
    await server.kill();
    // Beats fail every TTL/3: four failures on each node span more than a TTL.
    await Promise.all([a, b].map((n) => n.errors.until((errors) => errors.length >= 4)));
    await server.restart();
    await eventually(() => a.presence.add('acme', 'room', 's3', { user: 'alice' }));
    await eventually(() => b.presence.add('acme', 'room', 's4', { user: 'bob' }));
    // What did not happen can only be seen over a span: three TTLs, in which each node beats
    // and, after its first TTL, reaps every 100 ms.
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect([...a.expired.items, ...b.expired.items]).toEqual([]);
    expect(sortedMembers(await a.presence.members('acme', 'room'))).toEqual([
      { user: 'alice', connections: 2, devices: [] },
      { user: 'bob', connections: 2, devices: [] },
    ]);
  });
});
