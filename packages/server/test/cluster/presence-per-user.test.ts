/**
 * Presence per user, end to end (docs/presence.md): one member per user whatever their devices,
 * `join` on the first connection, `leave` after the last one and the grace period
 * (`presenceLeaveDelay`), nothing for a reconnect within it, also when the reconnect lands on
 * the other node. Each case runs on one embedded node (both "nodes" are the same) and on two
 * Redis-engine nodes.
 *
 * "No leave came" is shown without sleeping, as in conformance/presence-rejoin.test.ts: a
 * sentinel user enters and leaves on the node holding the pending leave after it was scheduled,
 * so his `leave` is due after any the test rules out; every push up to it is checked.
 */
import { describe, expect, it } from 'vitest';
import type { PresenceMember, ServerMessage } from '@hubcast/protocol';
import type { ConfigInput } from '../../src/index.js';
import { eventually } from '../helpers/presence-nodes.js';
import { useSharedRedis } from '../helpers/redis.js';
import type { TestNode } from '../helpers/test-node.js';
import {
  asType,
  connectClient,
  useTestNodes,
  type ConnectedClient,
  type TestClient,
} from '../helpers/ws-client.js';

// Every test starts on an empty Redis, as a new cluster would.
const redisServer = useSharedRedis();

const startNode = useTestNodes();
const GRACE_SECONDS = 0.3;

type Topology = (config: ConfigInput) => Promise<[TestNode, TestNode]>;
const topologies: [string, Topology][] = [
  [
    'one embedded node',
    async (config) => {
      const node = await startNode(config);
      return [node, node];
    },
  ],
  [
    'two Redis-engine nodes',
    async (config) => {
      const cluster = { ...config, engine: 'redis' as const, redisUrl: redisServer().url };
      return [await startNode(cluster), await startNode(cluster)];
    },
  ],
];

async function watch(node: TestNode): Promise<ConnectedClient> {
  const watcher = await connectClient(node, { sub: 'watcher', org: 'acme' });
  await watcher.request({ type: 'subscribe', channel: 'room.1', presence: true });
  return watcher;
}

function enter(node: TestNode, user: string, device: string): Promise<ConnectedClient> {
  return connectClient(
    node,
    { sub: user, org: 'acme', info: { name: user } },
    { subscriptions: ['room.1'], client: { name: 'test', version: '1', device } },
  );
}

/** Presence pushes (no pings) up to and with the sentinel's leave; he enters on `node`. */
async function pushesUntilSentinelLeaves(
  node: TestNode,
  watcher: TestClient,
): Promise<ServerMessage[]> {
  const sentinel = await enter(node, 'sentinel', 'pc');
  sentinel.close();
  const { before, match } = await watcher.takeUntil(
    (m) => m.type === 'leave' && m.user === 'sentinel',
    5000,
  );
  return [...before, match].filter((m) => m.type !== 'ping');
}

const SENTINEL_CAME_AND_WENT = [
  { type: 'join', channel: 'room.1', user: 'sentinel', info: { name: 'sentinel' } },
  { type: 'leave', channel: 'room.1', user: 'sentinel', info: { name: 'sentinel' } },
];

async function members(client: TestClient): Promise<PresenceMember[]> {
  const reply = asType(await client.request({ type: 'presence', channel: 'room.1' }), 'presence');
  return reply.members
    .map((m) => ({ ...m, devices: [...m.devices].sort() }))
    .filter((m) => m.user !== 'watcher');
}

describe.each(topologies)('presence per user on %s', (_name, startTopology) => {
  it('a user with a phone and a laptop joins once and leaves only when the last device leaves', async () => {
    const [a, b] = await startTopology({ presenceLeaveDelay: GRACE_SECONDS });
    const watcher = await watch(a);
    const phone = await enter(a, 'alice', 'phone');
    expect(await watcher.next('join')).toEqual({
      type: 'join',
      channel: 'room.1',
      user: 'alice',
      info: { name: 'alice' },
    });
    const laptop = await enter(b, 'alice', 'laptop');
    expect(await members(watcher)).toEqual([
      { user: 'alice', info: { name: 'alice' }, connections: 2, devices: ['laptop', 'phone'] },
    ]);

    // The phone goes: alice is still there on her laptop, so no leave (and no second join).
    phone.close();
    expect(await pushesUntilSentinelLeaves(a, watcher)).toEqual(SENTINEL_CAME_AND_WENT);
    expect(await members(watcher)).toEqual([
      { user: 'alice', info: { name: 'alice' }, connections: 1, devices: ['laptop'] },
    ]);

    laptop.close();
    expect(await watcher.next('leave', 5000)).toEqual({
      type: 'leave',
      channel: 'room.1',
      user: 'alice',
      info: { name: 'alice' },
    });
    expect(await members(watcher)).toEqual([]);
  });

  it('a reconnect within the grace period, on the other node, shows neither leave nor join', async () => {
    const [a, b] = await startTopology({ presenceLeaveDelay: GRACE_SECONDS });
    const watcher = await watch(b);
    const first = await enter(a, 'alice', 'phone');
    await watcher.next('join');
    first.terminate();
    await first.closed;
    await enter(b, 'alice', 'phone');

    // Alice's leave would be due on node a before the sentinel's, who enters there after.
    expect(await pushesUntilSentinelLeaves(a, watcher)).toEqual(SENTINEL_CAME_AND_WENT);
    expect(await members(watcher)).toEqual([
      { user: 'alice', info: { name: 'alice' }, connections: 1, devices: ['phone'] },
    ]);
  });

  it('with a grace period of 0, leave comes as soon as the last connection goes', async () => {
    const [a, b] = await startTopology({ presenceLeaveDelay: 0 });
    const watcher = await watch(b);
    const alice = await enter(a, 'alice', 'phone');
    await watcher.next('join');
    alice.close();
    expect(await watcher.next('leave')).toMatchObject({ user: 'alice' });
    expect(await members(watcher)).toEqual([]);
  });

  it('carries an info update to watchers on every node; the info set last wins across nodes', async () => {
    const [a, b] = await startTopology({ presenceMembersMax: 2 });
    const watcher = await watch(b);
    const phone = await enter(a, 'alice', 'phone');
    await watcher.next('join');
    const laptop = await enter(b, 'alice', 'laptop');
    const setInfo = (client: TestClient, info: object) =>
      client.request({ type: 'rpc', method: 'presence.setInfo', params: { info } });

    expect(await setInfo(phone, { status: 'away' })).toMatchObject({ result: { channels: 1 } });
    expect(await watcher.next('join')).toEqual({
      type: 'join',
      channel: 'room.1',
      user: 'alice',
      info: { status: 'away' },
      update: true,
    });
    await setInfo(laptop, { status: 'busy' });
    expect(await watcher.next('join')).toMatchObject({ info: { status: 'busy' }, update: true });
    for (const client of [watcher, phone]) {
      const [alice] = await members(client);
      expect(alice).toEqual({
        user: 'alice',
        info: { status: 'busy' },
        connections: 2,
        devices: ['laptop', 'phone'],
      });
    }

    // The cap holds over both nodes: two members listed, all four counted.
    await enter(a, 'bob', 'pc');
    await enter(b, 'aaron', 'pc');
    const reply = asType(await phone.request({ type: 'presence', channel: 'room.1' }), 'presence');
    expect(reply.members.map((m) => m.user)).toEqual(['aaron', 'alice']);
    expect(reply.count).toBe(4);
  });
});

describe('a Redis-engine node that drains (a rolling restart)', () => {
  it('leaves its members to its node TTL: who reconnects elsewhere shows nothing, who does not leaves', async () => {
    const cluster = {
      engine: 'redis' as const,
      redisUrl: redisServer().url,
      nodeTtl: 3,
      presenceLeaveDelay: GRACE_SECONDS,
    };
    const a = await startNode(cluster);
    const b = await startNode(cluster);
    const watcher = await watch(b);
    const alice = await enter(a, 'alice', 'phone');
    await enter(a, 'bob', 'phone');
    await watcher.next('join');
    await watcher.next('join');

    await a.stop();
    expect((await alice.closed).code).toBe(4000);
    // Alice's client reconnects on the other node, after the grace period but within the TTL.
    await enter(b, 'alice', 'phone');
    // Bob never comes back: the survivor reaps node a and sends his leave, not alice's.
    expect(await watcher.next('leave', 15_000)).toEqual({
      type: 'leave',
      channel: 'room.1',
      user: 'bob',
      info: { name: 'bob' },
    });
    // Node a is reaped by now: nothing of it is left to report.
    await eventually(async () => {
      expect(await redisServer().command('ZCARD', 'hc:{presence}:reaping')).toBe(':0\r\n');
    });
    expect(await pushesUntilSentinelLeaves(b, watcher)).toEqual(SENTINEL_CAME_AND_WENT);
    expect(await members(watcher)).toEqual([
      { user: 'alice', info: { name: 'alice' }, connections: 1, devices: ['phone'] },
    ]);
  });
});
