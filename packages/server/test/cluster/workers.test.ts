/**
 * `hubcast serve --workers N` (issue 11): worker processes share one port and the Redis engine,
 * and one `/metrics` scrape sums them all. Real processes, a real redis-server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outputUntil } from '../helpers/child-output.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { startServeProcess, type ServeProcess } from '../helpers/serve-process.js';
import {
  connectClient,
  httpRequest,
  publishHttp,
  terminateAllClients,
  type ConnectedClient,
} from '../helpers/ws-client.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  terminateAllClients();
  await redis?.stop();
});

/** The sum of a metric's samples in Prometheus text. */
function sampleOf(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

describe('serve --workers', () => {
  it('is refused with the embedded engine, naming --engine redis', async () => {
    const proc = startServeProcess(['--workers', '2']);
    await expect(proc).rejects.toThrow(/--workers needs --engine redis/);
  });

  it('runs two workers on one port, sharing events and one /metrics', async () => {
    let proc: ServeProcess | undefined;
    try {
      proc = await startServeProcess([
        '--workers',
        '2',
        '--engine',
        'redis',
        '--redis-url',
        redis.url,
        '--store',
        'memory',
      ]);
      // Both workers say so before the port takes connections from both.
      if ((proc.output().match(/hubcast listening/g) ?? []).length < 2)
        await outputUntil(proc.child, /hubcast listening/);
      const clients: ConnectedClient[] = [];
      for (let i = 0; i < 8; i++)
        clients.push(
          await connectClient(proc, { sub: `u${i}`, org: 'acme' }, { subscriptions: ['feed'] }),
        );
      // A session id starts with its node's id (8 characters): two workers took connections.
      const nodes = new Set(clients.map((c) => c.connected.session.slice(0, 8)));
      expect(nodes.size).toBe(2);

      await publishHttp(proc, 'acme', 'feed', { hello: 'all' });
      for (const c of clients) expect((await c.next('event')).data).toEqual({ hello: 'all' });

      // Whichever worker answers the scrape, it counts the connections of both.
      for (let i = 0; i < 4; i++) {
        const metrics = await httpRequest(proc, 'GET', '/metrics', { key: null });
        expect(metrics.status).toBe(200);
        expect(sampleOf(metrics.text, 'hubcast_connections')).toBe(8);
      }

      const closed = clients.map((c) => c.waitClosed(15_000));
      expect(await proc.stop(20_000)).toBe(0);
      for (const info of await Promise.all(closed)) expect(info.code).toBe(4000);
    } finally {
      await proc?.stop(1000);
    }
  });
});
