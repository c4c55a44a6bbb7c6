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
  it('has its presence members leave on the other nodes within seconds, unless they are on another device', async () => {
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
    // Alice has her phone on the doomed node and her laptop on the survivor.
    const device = (name: string) => ({ client: { name: 't', version: '1', device: name } });
    await connectClient(
      doomed,
      { sub: 'alice', org: 'acme' },
      { subscriptions: ['room'], ...device('phone') },
    );
    await connectClient(
      survivor,
      { sub: 'alice', org: 'acme' },
      { subscriptions: ['room'], ...device('laptop') },
    );
    const joined = [];
    for (let i = 0; i < 3; i++) joined.push(await watcher.next('join'));
    expect(joined.map((j) => j.user).sort()).toEqual(['alice', 'ann', 'bob']);

    doomed.child.kill('SIGKILL');
    await doomed.exited;
    // The waits bound it: the TTL and a heartbeat or two, not whenever someone notices. One
    // reap pops all of a dead node's entries in the org, so a wrong leave of alice's would
    // come with these two.
    const left = [await watcher.next('leave', 15_000), await watcher.next('leave', 15_000)];
    expect(left.map((l) => l.user).sort()).toEqual(['ann', 'bob']);
    const res = await httpRequest(survivor, 'GET', '/api/presence?org=acme&channel=room');
    expect((res.body as { members: unknown[] }).members).toEqual([
      { user: 'alice', connections: 1, devices: ['laptop'] },
      { user: 'watcher', connections: 1, devices: [] },
    ]);
    expect((await watcher.quiet()).filter((m) => m.type === 'leave')).toEqual([]);
  });
});
