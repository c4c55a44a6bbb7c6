/**
 * A BullMQ producer for queue-ingest tests, as an app backend would hold one: the queue a node
 * takes jobs from, its events (to await a job's end instead of sleeping) and the failed-jobs
 * queue hubcast writes to. Each test gets its own queue name, so tests share one Redis.
 */
import { Queue, QueueEvents, type Job, type JobsOptions } from 'bullmq';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { startRedis, type RedisServer } from './redis.js';
import type { FailedJobData } from '../../src/ingest/job-schema.js';

export interface TestQueue {
  readonly name: string;
  readonly queue: Queue;
  /** `<name>-failed`, where hubcast puts the jobs that can never succeed. */
  readonly failed: Queue<FailedJobData>;
  add(name: string, data: unknown, opts?: JobsOptions): Promise<Job>;
  /** The job's return value once it completes; rejects with its failed reason. */
  finished(job: Job, timeoutMs?: number): Promise<unknown>;
  /** Resolves once `n` jobs of this queue have completed since it was opened. */
  untilCompleted(n: number, timeoutMs?: number): Promise<void>;
  /** Every entry of the failed-jobs queue, oldest first. */
  failedEntries(): Promise<{ name: string; data: FailedJobData }[]>;
  close(): Promise<void>;
}

let queueCounter = 0;

/** A queue name no other test of this run uses: `test-<pid>-<n>`. */
export function newQueueName(): string {
  return `test-${process.pid}-${++queueCounter}`;
}

/** Opens a fresh queue on `url`; resolves once its events are followed. */
export async function openTestQueue(url: string): Promise<TestQueue> {
  const name = newQueueName();
  const connection = { url };
  const queue = new Queue(name, { connection });
  const failed = new Queue<FailedJobData>(`${name}-failed`, { connection });
  const events = new QueueEvents(name, { connection });
  // QueueEvents reads the stream from when it is ready: a job ending before would be missed
  // (waitUntilFinished also checks the job's state once, so this is belt and braces).
  await Promise.all([queue.waitUntilReady(), failed.waitUntilReady(), events.waitUntilReady()]);
  let completed = 0;
  events.on('completed', () => void completed++);
  return {
    name,
    queue,
    failed,
    add: (jobName, data, opts) => queue.add(jobName, data, opts),
    finished: (job, timeoutMs = 10_000) => job.waitUntilFinished(events, timeoutMs),
    untilCompleted: (n, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (completed < n) return;
          clearTimeout(timer);
          events.off('completed', check);
          resolve();
        };
        const timer = setTimeout(() => {
          events.off('completed', check);
          reject(new Error(`${completed} jobs of ${name} completed, not ${n}`));
        }, timeoutMs);
        events.on('completed', check);
        check();
      }),
    async failedEntries() {
      const jobs = await failed.getJobs(['waiting'], 0, -1, true);
      return jobs.map((j) => ({ name: j.name, data: j.data }));
    },
    async close() {
      await Promise.all([events.close(), queue.close(), failed.close()]);
    },
  };
}

/**
 * One redis-server for the file and a fresh queue per test, with the hooks registered: call once
 * at the top of a test file and read `redis` and `q` inside the tests.
 */
export function useQueueRedis(): { readonly redis: RedisServer; readonly q: TestQueue } {
  let redis: RedisServer | undefined;
  let q: TestQueue | undefined;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());
  beforeEach(async () => {
    q = await openTestQueue(env.redis.url);
  });
  afterEach(() => q?.close());
  const env = {
    get redis(): RedisServer {
      if (redis === undefined) throw new Error('redis-server not started yet');
      return redis;
    },
    get q(): TestQueue {
      if (q === undefined) throw new Error('no queue outside a test');
      return q;
    },
  };
  return env;
}
