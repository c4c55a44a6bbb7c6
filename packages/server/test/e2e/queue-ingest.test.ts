/**
 * Queue ingest (issue 11, README "Publishing through a queue"): `publish` and `notify` jobs on a
 * real Redis reach clients as HTTP publishes do, once per key in the HTTP API's scope; a job that
 * can never succeed lands in `<queue>-failed` with its reason and is not retried.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/index.js';
import { metricValue, untilMetric } from '../helpers/metric-wait.js';
import { useQueueRedis } from '../helpers/queue.js';
import type { TestNode } from '../helpers/test-node.js';
import {
  asType,
  connectClient,
  publishHttp,
  useTestNodes,
  type ConnectedClient,
} from '../helpers/ws-client.js';

const env = useQueueRedis();
const start = useTestNodes();

/** A node taking jobs from this test's queue, and alice of acme watching `news.>` and her inbox. */
async function setup(overrides: ConfigInput = {}) {
  const node = await start({
    queue: true,
    redisUrl: env.redis.url,
    queueName: env.q.name,
    ...overrides,
  });
  const client = await connectClient(
    node,
    { sub: 'alice', org: 'acme' },
    { subscriptions: ['news.>', 'user.alice.notifications'] },
  );
  return { node, client };
}

const JOBS_METRIC = 'hubcast_queue_jobs_total';
/** The count of an outcome, once it reached `atLeast`: the worker counts after Redis answers. */
async function queueJobs(node: TestNode, outcome: string, atLeast = 0): Promise<number> {
  if (atLeast > 0) await untilMetric(node.node, JOBS_METRIC, { outcome }, atLeast);
  return metricValue(node.node, JOBS_METRIC, { outcome });
}

/** The events alice received: exactly `n`, and nothing more behind them. */
async function eventsOf(client: ConnectedClient, n: number) {
  const events = [];
  for (let i = 0; i < n; i++) events.push(await client.next('event'));
  expect(await client.quiet()).toEqual([]);
  return events;
}

describe('a publish job', () => {
  it('reaches a subscribed client and returns what the HTTP API answers', async () => {
    const { node, client } = await setup();
    const job = await env.q.add('publish', { org: 'acme', channel: 'news.a', data: { n: 1 } });
    const [event] = await eventsOf(client, 1);
    expect(event).toMatchObject({ channel: 'news.a', data: { n: 1 } });
    expect(await env.q.finished(job)).toEqual({
      event_id: event?.event_id,
      cursor: event?.cursor,
      duplicate: false,
    });
    expect(await queueJobs(node, 'done', 1)).toBe(1);
  });

  it('publishes an array as one HTTP array: every item, in order', async () => {
    const { client } = await setup();
    const items = [1, 2, 3].map((n) => ({ org: 'acme', channel: `news.${n}`, data: n }));
    const job = await env.q.add('publish', items);
    const events = await eventsOf(client, 3);
    expect(events.map((e) => e.data)).toEqual([1, 2, 3]);
    expect(await env.q.finished(job)).toHaveLength(3);
  });
});

describe('a notify job', () => {
  it("lands in the user's inbox and is pushed to her devices", async () => {
    const { client } = await setup();
    const notification = { kind: 'invoice.paid', title: 'Invoice 1042 paid' };
    const job = await env.q.add('notify', { org: 'acme', users: ['alice'], notification });
    const [push] = await eventsOf(client, 1);
    expect(push).toMatchObject({
      channel: 'user.alice.notifications',
      data: { type: 'notification.created', notification },
    });
    const { ids } = (await env.q.finished(job)) as { ids: string[] };
    const list = asType(
      await client.request({ type: 'rpc', method: 'notifications.list', params: {} }),
      'result',
    );
    expect(list.result).toMatchObject({ items: [{ id: ids[0], ...notification }], more: false });
  });
});

describe('jobs enqueued while no node runs', () => {
  it('are published once a node starts: the embedded engine, a SQLite log', async () => {
    const jobs = await env.q.queue.addBulk(
      [1, 2, 3].map((n) => ({
        name: 'publish',
        data: { org: 'acme', channel: 'news.a', data: n },
      })),
    );
    const dataDir = mkdtempSync(join(tmpdir(), 'hubcast-queue-'));
    try {
      const { client } = await setup({ log: 'sqlite', dataDir });
      await Promise.all(jobs.map((j) => env.q.finished(j)));
      // With 16 jobs at once, their order in the log is not the queue's.
      const history = asType(
        await client.request({ type: 'history', channel: 'news.>' }),
        'history',
      );
      expect(history.events.map((e) => e.data).sort()).toEqual([1, 2, 3]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('idempotency: jobs and the HTTP API of a tenant share one key scope (§2.4)', () => {
  const item = (data: unknown, key: string) => ({ org: 'acme', channel: 'news.a', data, key });

  it('delivers a job enqueued twice with one key once', async () => {
    const { client } = await setup();
    const first = await env.q.finished(await env.q.add('publish', item(1, 'k1')));
    const second = await env.q.finished(await env.q.add('publish', item(2, 'k1')));
    expect(second).toEqual({ ...(first as object), duplicate: true });
    expect((await eventsOf(client, 1)).map((e) => e.data)).toEqual([1]);
  });

  it('delivers a job and an HTTP publish with one key once, whichever comes first', async () => {
    const { node, client } = await setup();
    const http = await publishHttp(node, 'acme', 'news.a', 'http', 'k2');
    const job = await env.q.finished(await env.q.add('publish', item('job', 'k2')));
    expect(job).toEqual({ ...http, duplicate: true });

    const queued = await env.q.finished(await env.q.add('publish', item('job', 'k3')));
    expect(await publishHttp(node, 'acme', 'news.a', 'http', 'k3')).toEqual({
      ...(queued as object),
      duplicate: true,
    });
    expect((await eventsOf(client, 2)).map((e) => e.data)).toEqual(['http', 'job']);
  });

  it("takes the producer's jobId as the key when the data has none", async () => {
    const { node, client } = await setup();
    const job = await env.q.add(
      'publish',
      { org: 'acme', channel: 'news.a', data: 1 },
      {
        jobId: 'invoice-42',
      },
    );
    const published = await env.q.finished(job);
    expect(await publishHttp(node, 'acme', 'news.a', 2, 'invoice-42')).toEqual({
      ...(published as object),
      duplicate: true,
    });
    expect((await eventsOf(client, 1)).map((e) => e.data)).toEqual([1]);
  });

  it('creates and pushes a notification once per key', async () => {
    const { client } = await setup();
    const body = { org: 'acme', users: ['alice'], notification: { kind: 'k', title: 't' } };
    const first = await env.q.finished(await env.q.add('notify', { ...body, key: 'n1' }));
    const second = await env.q.finished(await env.q.add('notify', { ...body, key: 'n1' }));
    expect(second).toEqual(first);
    await eventsOf(client, 1);
  });
});

describe('a job that can never succeed', () => {
  const ok = { org: 'acme', channel: 'news.a', data: 1 };

  it.each<[label: string, name: string, data: unknown, code: string, says: string]>([
    [
      'a pattern for a channel',
      'publish',
      { ...ok, channel: 'news.*' },
      'bad_request',
      "'channel'",
    ],
    [
      'no org',
      'publish',
      { channel: 'news.a', data: 1 },
      'bad_request',
      "a queue job must name 'org'",
    ],
    ['an invalid org', 'publish', { ...ok, org: 'a b' }, 'bad_request', 'not a valid org name'],
    [
      'data over max-message-bytes',
      'publish',
      { ...ok, data: 'x'.repeat(2000) },
      'too_large',
      '--max-message-bytes',
    ],
    ['an unknown job name', 'publsh', ok, 'bad_request', "unknown job name 'publsh'"],
    [
      'a notify without users',
      'notify',
      { org: 'acme', notification: { kind: 'k', title: 't' } },
      'bad_request',
      "'users'",
    ],
    [
      'one bad item of an array',
      'publish',
      [ok, { ...ok, channel: '' }],
      'bad_request',
      "'channel'",
    ],
  ])(
    '%s: goes to the failed-jobs queue with its reason, untried again',
    async (_l, name, data, code, says) => {
      const { node, client } = await setup({ maxMessageBytes: 1024 });
      // With attempts left, BullMQ would retry any other error: only UnrecoverableError stops it.
      const job = await env.q.add(name, data, {
        attempts: 3,
        backoff: { type: 'fixed', delay: 10 },
      });
      await expect(env.q.finished(job)).rejects.toThrow(`${code}: `);
      const failed = await env.q.queue.getJob(job.id ?? '');
      expect([await failed?.getState(), failed?.attemptsStarted]).toEqual(['failed', 1]);

      const entries = await env.q.failedEntries();
      expect(entries).toEqual([
        {
          name,
          data: {
            queue: env.q.name,
            job_id: job.id,
            data,
            error: expect.objectContaining({ code }) as unknown,
            attempts: 1,
            failed_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
          },
        },
      ]);
      expect(entries[0]?.data.error.message).toContain(says);
      // Validated whole, as over HTTP: nothing of a refused job is published.
      expect(await client.quiet()).toEqual([]);
      expect([await queueJobs(node, 'failed', 1), await queueJobs(node, 'retried')]).toEqual([
        1, 0,
      ]);
    },
  );

  it('names the bad item of an array by its index, as the HTTP API does', async () => {
    await setup();
    const ok2 = { org: 'acme', channel: 'news.a', data: 1 };
    const job = await env.q.add('publish', [ok2, ok2, { ...ok2, data: undefined }]);
    await expect(env.q.finished(job)).rejects.toThrow("bad_request: 'data' is required");
    expect((await env.q.failedEntries())[0]?.data.error).toEqual({
      code: 'bad_request',
      message: "'data' is required",
      index: 2,
    });
  });
});
