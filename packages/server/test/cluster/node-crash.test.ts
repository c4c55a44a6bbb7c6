/**
 * A cluster node killed outright (SIGKILL: no drain, no leave sent) while its clients are in a
 * presence channel: within about `--node-ttl` the other nodes report them as left, and the
 * member lists no longer show them (issue 11). The crashing node is a real process; the
 * survivor runs in this one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { startServeProcess } from '../helpers/serve-process.js';
import { connectClient, httpRequest, useTestNodes } from '../helpers/ws-client.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});
const startNode = useTestNodes();

describe('a cluster node that crashes', () => {
  it('has its presence members leave on the other nodes within seconds', async () => {
    const ttlSeconds = 3;
    const cluster = ['--engine', 'redis', '--redis-url', redis.url, '--store', 'memory'];
    const doomed = await startServeProcess([...cluster, '--node-ttl', String(ttlSeconds)]);
    const survivor = await startNode({
      engine: 'redis',
      redisUrl: redis.url,
      store: 'memory',
      nodeTtl: ttlSeconds,
    });
    const watcher = await connectClient(survivor, { sub: 'watcher', org: 'acme' });
    watcher.send({ type: 'subscribe', id: 1, channel: 'room', presence: true });
    await watcher.reply(1);
    for (const user of ['ann', 'bob'])
      await connectClient(doomed, { sub: user, org: 'acme' }, { subscriptions: ['room'] });
    const joined = [await watcher.next('join'), await watcher.next('join')];
    expect(joined.map((j) => j.user).sort()).toEqual(['ann', 'bob']);

    doomed.child.kill('SIGKILL');
    await doomed.exited;
    // The waits bound it: the TTL and a heartbeat or two, not whenever someone notices.
    const left = [await watcher.next('leave', 15_000), await watcher.next('leave', 15_000)];
    expect(left.map((l) => l.user).sort()).toEqual(['ann', 'bob']);
    const res = await httpRequest(survivor, 'GET', '/api/presence?org=acme&channel=room');
    expect((res.body as { members: { user: string }[] }).members.map((m) => m.user)).toEqual([
      'watcher',
    ]);
  });
});
