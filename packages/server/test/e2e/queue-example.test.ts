/**
 * The README's example producer (examples/queue-producer.mjs) runs as documented against a node
 * taking jobs from a real Redis: its event reaches a client, and it prints what hubcast answered.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newQueueName } from '../helpers/queue.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { connectClient, useTestNodes } from '../helpers/ws-client.js';

const EXAMPLE = fileURLToPath(new URL('../../../../examples/queue-producer.mjs', import.meta.url));

let redis: RedisServer;
const start = useTestNodes();

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

describe('examples/queue-producer.mjs', () => {
  it('publishes, notifies and shows a failed job with its reason', async () => {
    // A queue name of this test, so the example's fixed jobId and key start fresh.
    const queueName = newQueueName();
    const node = await start({ queue: true, redisUrl: redis.url, queueName });
    const client = await connectClient(
      node,
      { sub: 'alice', org: 'acme' },
      { subscriptions: ['orders.>', 'user.alice.notifications'] },
    );
    const { stdout } = await promisify(execFile)(process.execPath, [EXAMPLE], {
      env: { PATH: process.env['PATH'] ?? '', REDIS_URL: redis.url, HUBCAST_QUEUE: queueName },
      timeout: 30_000,
    });

    const order = await client.next('event');
    expect(order).toMatchObject({ channel: 'orders.o-1042.status', data: { status: 'paid' } });
    const lines = stdout.trim().split('\n');
    expect(lines).toEqual([
      `publish: ${JSON.stringify({ event_id: order.event_id, cursor: order.cursor, duplicate: false })}`,
      expect.stringMatching(/^notify: \{"ids":\["[^"]+","[^"]+"\]\}$/) as unknown,
      "failed: bad_request: 'channel' must be a concrete channel (no * or >)",
      `in ${queueName}-failed: {"code":"bad_request","message":"'channel' must be a concrete channel (no * or >)"}`,
    ]);
    expect(await client.next('event')).toMatchObject({
      channel: 'user.alice.notifications',
      data: { type: 'notification.created' },
    });
  });
});
