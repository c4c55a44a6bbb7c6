/**
 * Queue ingest, failures that may pass (issue 11): a job refused by its tenant's publish quota,
 * or met by a log that cannot be written, goes back to the queue and is delivered once the quota
 * refills or the log recovers, exactly once, although its producer asked for one attempt only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteEventLog, type SqliteDatabase } from '../../src/log/sqlite.js';
import { metricValue, untilMetric } from '../helpers/metric-wait.js';
import { useQueueRedis } from '../helpers/queue.js';
import { startRedis } from '../helpers/redis.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';
import { connectClient, useTestNodes } from '../helpers/ws-client.js';

const env = useQueueRedis();
const start = useTestNodes();

const JOBS = 'hubcast_queue_jobs_total';

/** A logger for a node whose lines a test can await. */
function logLines() {
  let text = '';
  const waiters = new Set<() => void>();
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      for (const w of waiters) w();
      done();
    },
  });
  return {
    logger: pino({ level: 'warn' }, stream),
    until: (pattern: RegExp, timeoutMs = 5000) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (!pattern.test(text)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no log line matched ${pattern}: ${text}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
  };
}

describe('a tenant over its publish quota', () => {
  it('has its jobs wait their turn, each delivered once, none failed', async () => {
    // One event at once, ten a second: four jobs take about 0.3 s, refused on the way.
    const node = await start({
      queue: true,
      redisUrl: env.redis.url,
      queueName: env.q.name,
      tenantPublishRate: 10,
      tenantPublishBurst: 1,
    });
    const client = await connectClient(
      node,
      { sub: 'alice', org: 'acme' },
      {
        subscriptions: ['news.>'],
      },
    );
    const jobs = await env.q.queue.addBulk(
      [1, 2, 3, 4].map((n) => ({
        name: 'publish',
        data: { org: 'acme', channel: 'news.a', data: n },
      })),
    );
    await Promise.all(jobs.map((j) => env.q.finished(j)));

    const received = [];
    for (let i = 0; i < 4; i++) received.push((await client.next('event')).data);
    expect(received.sort()).toEqual([1, 2, 3, 4]);
    expect(await client.quiet()).toEqual([]);
    expect(await metricValue(node.node, JOBS, { outcome: 'retried' })).toBeGreaterThan(0);
    expect(
      await metricValue(node.node, 'hubcast_limits_tripped_total', {
        limit: 'tenant_publish_rate',
      }),
    ).toBeGreaterThan(0);
    await untilMetric(node.node, JOBS, { outcome: 'done' }, 4);
    expect(await metricValue(node.node, JOBS, { outcome: 'failed' })).toBe(0);
    expect(await env.q.failedEntries()).toEqual([]);
  });
});

describe('a log that cannot be written (a full disk)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hubcast-queue-outage-'));
  let db: SqliteDatabase | undefined;
  let log: SqliteEventLog;
  let t: TestNode | undefined;

  afterAll(async () => {
    await t?.stop();
    await log.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('puts the job back, and publishes it once the log has room again', async () => {
    log = new SqliteEventLog({
      path: join(dataDir, 'events.db'),
      historySize: 1000,
      historyTtlSeconds: 3600,
      onOpen: (conn) => (db = conn),
    });
    t = await startTestNode(
      { queue: true, redisUrl: env.redis.url, queueName: env.q.name },
      { log },
    );
    const client = await connectClient(
      t,
      { sub: 'alice', org: 'acme' },
      {
        subscriptions: ['news.>'],
      },
    );
    // SQLite's page limit stands in for the disk, as in log-outage.test.ts: SQLITE_FULL.
    const pages = db?.pragma('page_count', { simple: true }) as number;
    db?.pragma(`max_page_count = ${pages}`);
    const big = 'x'.repeat(20_000);
    const job = await env.q.add('publish', { org: 'acme', channel: 'news.a', data: big, key: 'k' });
    try {
      await untilMetric(t.node, JOBS, { outcome: 'retried' }, 1);
      expect(await client.quiet()).toEqual([]);
      expect(await (await env.q.queue.getJob(job.id ?? ''))?.getState()).not.toBe('failed');
    } finally {
      db?.pragma('max_page_count = 1073741823');
    }
    expect(await env.q.finished(job)).toMatchObject({ duplicate: false });
    expect((await client.next('event')).data).toBe(big);
    expect(await client.quiet()).toEqual([]);
    expect(await env.q.failedEntries()).toEqual([]);
  });
});

describe('a queue Redis that is away', () => {
  it('leaves the node serving, takes the jobs once it is back, and never holds up a stop', async () => {
    const away = await startRedis();
    try {
      await away.kill();
      // shutdownTimeout bounds a stop that waits on jobs: a stop well within it waited on none.
      const node = await startTestNode({
        queue: true,
        redisUrl: away.url,
        queueName: env.q.name,
        shutdownTimeout: 20,
      });
      try {
        expect((await fetch(`${node.httpUrl}/readyz`)).status).toBe(200);
        const client = await connectClient(
          node,
          { sub: 'alice', org: 'acme' },
          {
            subscriptions: ['news.>'],
          },
        );
        await away.restart();
        const producer = new Queue(env.q.name, { connection: { url: away.url } });
        try {
          await producer.add('publish', { org: 'acme', channel: 'news.a', data: 'late' });
          expect((await client.next('event', 10_000)).data).toBe('late');
        } finally {
          await producer.close();
        }
      } finally {
        await node.stop();
      }

      await away.kill();
      const log = logLines();
      const again = await startTestNode(
        { queue: true, redisUrl: away.url, queueName: env.q.name, shutdownTimeout: 20 },
        { logger: log.logger },
      );
      // Once it has tried the Redis and failed, a stop used to wait forever (bullmq#4656).
      await log.until(/queue ingest error/);
      const stopping = Date.now();
      await again.stop();
      expect(Date.now() - stopping).toBeLessThan(5000);
    } finally {
      await away.stop();
    }
  });
});
