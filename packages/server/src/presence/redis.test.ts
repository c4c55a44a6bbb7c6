import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PresenceNodes, freshPrefix, sortedMembers } from '../../test/helpers/presence-nodes.js';
import { startRedis, type RedisServer } from '../../test/helpers/redis.js';
import { EngineUnavailableError } from '../engine-error.js';
import { describePresence } from './presence.contract.js';
import { isExpiringPresence } from './presence.js';
import { RedisPresence } from './redis.js';

// One server for the file: the contract uses fresh orgs, the cases below fresh key prefixes.
// Node expiry and Redis outages: redis-expiry.test.ts.
let server: RedisServer;
const nodes = new PresenceNodes(() => server.url);
beforeAll(async () => {
  server = await startRedis();
});
afterEach(() => nodes.closeAll());
afterAll(() => server.stop());

// A TTL longer than any contract case, so no node of it counts as dead meanwhile.
describePresence('RedisPresence', async () => {
  const node = await nodes.start({ prefix: 'contract', nodeTtlMs: 5000 });
  return node.presence;
});

describe('RedisPresence', () => {
  it('is an expiring presence', async () => {
    const { presence } = await nodes.start({ prefix: freshPrefix() });
    expect(isExpiringPresence(presence)).toBe(true);
  });

  it('agrees across nodes on members and on first and last per user', async () => {
    const prefix = freshPrefix();
    const a = (await nodes.start({ prefix, nodeId: 'a' })).presence;
    const b = (await nodes.start({ prefix, nodeId: 'b' })).presence;
    expect(await a.add('acme', 'room', 's1', { user: 'alice', device: 'laptop' })).toEqual({
      firstForUser: true,
    });
    expect(await b.add('acme', 'room', 's2', { user: 'alice', device: 'phone' })).toEqual({
      firstForUser: false,
    });
    expect(await b.add('acme', 'room', 's3', { user: 'bob' })).toEqual({ firstForUser: true });
    const expected = [
      { user: 'alice', connections: 2, devices: ['laptop', 'phone'] },
      { user: 'bob', connections: 1, devices: [] },
    ];
    expect(sortedMembers(await a.members('acme', 'room'))).toEqual(expected);
    expect(sortedMembers(await b.members('acme', 'room'))).toEqual(expected);
    // A node removes only its own sessions: b does not hold s1.
    expect(await b.remove('acme', 'room', 's1')).toEqual({ lastForUser: false });
    expect(await a.remove('acme', 'room', 's1')).toEqual({ lastForUser: false, user: 'alice' });
    expect(await b.remove('acme', 'room', 's2')).toEqual({ lastForUser: true, user: 'alice' });
  });

  it('reports first and last exactly once when nodes race for one user', async () => {
    const prefix = freshPrefix();
    const both = [
      (await nodes.start({ prefix, nodeId: 'a' })).presence,
      (await nodes.start({ prefix, nodeId: 'b' })).presence,
    ];
    const sessions = Array.from({ length: 40 }, (_, i) => ({ on: both[i % 2]!, id: `s${i}` }));
    const added = await Promise.all(
      sessions.map((s) => s.on.add('acme', 'room', s.id, { user: 'alice' })),
    );
    expect(added.filter((r) => r.firstForUser)).toHaveLength(1);
    const removed = await Promise.all(sessions.map((s) => s.on.remove('acme', 'room', s.id)));
    expect(removed.filter((r) => r.lastForUser)).toHaveLength(1);
  });

  it('finds an entry removed right after it was added, before the add was answered', async () => {
    const { presence } = await nodes.start({ prefix: freshPrefix() });
    // A quick subscribe and unsubscribe: the remove must not overtake the add (and the add of
    // an org new to this node writes twice).
    const [added, removed] = await Promise.all([
      presence.add('fresh-org', 'room', 's1', { user: 'alice' }),
      presence.remove('fresh-org', 'room', 's1'),
    ]);
    expect(added).toEqual({ firstForUser: true });
    expect(removed).toEqual({ lastForUser: true, user: 'alice' });
    expect(await presence.members('fresh-org', 'room')).toEqual([]);
  });

  it('leaves nothing in Redis for a channel everyone left', async () => {
    const prefix = freshPrefix();
    const { presence } = await nodes.start({ prefix });
    await presence.add('acme', 'room', 's1', { user: 'alice', info: { name: 'Alice' } });
    await presence.add('acme', 'room', 's2', { user: 'bob' });
    await presence.remove('acme', 'room', 's1');
    await presence.remove('acme', 'room', 's2');
    // Left: the node's heartbeat and its set of orgs, both removed when the node is reaped.
    const keys = await nodes.keysUnder(prefix);
    expect(keys.map((k) => k.replace(/~[0-9a-f]+$/, '~*'))).toEqual([
      `${prefix}:{presence}:nodes`,
      `${prefix}:{presence}:orgs:node~*`,
    ]);
  });

  it('rejects add until the heartbeat has started, and reads without one', async () => {
    const prefix = freshPrefix();
    const beating = (await nodes.start({ prefix, nodeId: 'a' })).presence;
    await beating.add('acme', 'room', 's1', { user: 'alice' });
    const idle = nodes.create({ prefix, nodeId: 'idle' });
    const err: unknown = await idle
      .add('acme', 'room', 's2', { user: 'bob' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineUnavailableError);
    expect(err).toMatchObject({ message: 'presence unavailable: heartbeat not started' });
    expect(await idle.members('acme', 'room')).toEqual([
      { user: 'alice', connections: 1, devices: [] },
    ]);
  });

  it('refuses a node id that would break its keys', () => {
    const redis = new Redis(server.url, { lazyConnect: true });
    const make = (nodeId: string) => () =>
      new RedisPresence({ redis, prefix: 'x', nodeId, nodeTtlMs: 300 });
    expect(make('a|b')).toThrow(/nodeId must be/);
    expect(make('')).toThrow(/nodeId must be/);
  });
});
