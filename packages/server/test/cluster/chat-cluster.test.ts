/**
 * Chat over two nodes of the Redis engine sharing one PostgreSQL store (docs/chat.md): a
 * message sent through node A reaches a member on node B, and a member removed through A loses
 * their subscription to the room on B, at the leave event.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { EventPush } from '@hubcast/protocol';
import { nextData, rpc } from '../helpers/chat-client.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';
import { connectClient, publishHttp, terminateAllClients } from '../helpers/ws-client.js';

let redis: RedisServer;
let pg: PostgresServer;
beforeAll(async () => {
  [redis, pg] = await Promise.all([startRedis(), startPostgres()]);
});
afterAll(async () => {
  await Promise.all([redis?.stop(), pg?.stop()]);
});

const nodes: TestNode[] = [];
afterEach(async () => {
  terminateAllClients();
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

/** Two nodes on one Redis and one PostgreSQL store, as a cluster runs. */
async function twoNodes(): Promise<[TestNode, TestNode]> {
  const postgresUrl = await pg.createDatabase();
  for (let i = 0; i < 2; i++)
    nodes.push(
      await startTestNode({ engine: 'redis', redisUrl: redis.url, store: 'postgres', postgresUrl }),
    );
  return nodes as [TestNode, TestNode];
}

it('carries messages and removals between nodes', async () => {
  const [a, b] = await twoNodes();
  const alice = await connectClient(a, { sub: 'alice', org: 'acme' });
  await rpc(alice, 'chat.createRoom', { room: 'general', members: ['bob'] });
  const bob = await connectClient(
    b,
    { sub: 'bob', org: 'acme' },
    { subscriptions: ['chat.general', 'user.bob.chat', 'news'] },
  );
  expect(bob.connected.subscriptions).toEqual(['chat.general', 'user.bob.chat', 'news']);

  const sent = await rpc(alice, 'chat.send', { room: 'general', text: 'across nodes' });
  expect(await nextData(bob, 'chat.general')).toEqual({
    type: 'chat.message',
    message: sent['message'],
  });

  await rpc(alice, 'chat.removeMember', { room: 'general', user: 'bob' });
  await rpc(alice, 'chat.send', { room: 'general', text: 'bob is gone' });
  const { before, match } = await bob.takeUntil((m) => m.type === 'unsubscribed');
  expect(match).toEqual({ type: 'unsubscribed', channel: 'chat.general', reason: 'forbidden' });
  const roomEvents = before.filter(
    (m): m is EventPush => m.type === 'event' && m.channel === 'chat.general',
  );
  expect(roomEvents.map((e) => e.data)).toEqual([
    { type: 'chat.member_left', room: 'general', user: 'bob' },
  ]);
  expect(await nextData(bob, 'user.bob.chat')).toEqual({ type: 'chat.room_left', room: 'general' });
  // The message after the leave never reaches bob: a marker published after it arrives alone.
  await publishHttp(a, 'acme', 'news', 'marker');
  const { before: last } = await bob.takeUntil((m) => m.type === 'event' && m.channel === 'news');
  expect(last.filter((m) => m.type === 'event')).toEqual([]);
});
