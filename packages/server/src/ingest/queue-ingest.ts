/**
 * Queue ingest (issue 11): a BullMQ worker that takes `publish` and `notify` jobs from Redis and
 * hands them to the node's API paths, as `POST /api/publish` and `/api/notify` would, with the
 * same validation, tenant quotas and idempotency scope (PROTOCOL.md §2.4: the HTTP API and queue
 * ingest of a tenant share one). Whoever can write the Redis is trusted like the admin key: a
 * job names its tenant in `org`.
 *
 * A job that can never succeed is copied with its reason to `<queueName>-failed` and failed with
 * BullMQ's UnrecoverableError; one that may pass later goes back (retry-policy.ts). close()
 * stops taking jobs and lets the running ones finish; a job given up at the shutdown timeout
 * keeps its lock until it expires, and BullMQ's stalled check then puts it back in the queue.
 */
import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { isObject, jsonDepthExceeds } from '@hubcast/protocol';
import type { ApiNode, Caller } from '../api/api-call.js';
import { notifyBody } from '../api/routes/notify.js';
import { publishBody, type PublishedItem } from '../api/routes/publish.js';
import type { Config } from '../config/schema.js';
import type { Metrics } from '../metrics/metrics.js';
import { parseJob, withJobIdKey, type FailedJobData } from './job-schema.js';
import { MAX_ERROR_ATTEMPTS, QuotaSlots, backoffMs, judgeJobError } from './retry-policy.js';

/** The node as queue ingest sees it: the doors the HTTP routes use. */
export type IngestNode = Pick<
  ApiNode,
  'config' | 'chargePublishes' | 'publish' | 'publishEphemeral' | 'notify'
>;

/** What a job returns (BullMQ keeps it as the job's `returnvalue`): what the API would answer. */
export type JobResult = PublishedItem | PublishedItem[] | { ids: string[] };

export interface QueueIngestDeps {
  config: Config;
  node: IngestNode;
  metrics: Metrics;
  logger: Logger;
}

/** Jobs have no API key: their producer is trusted like the admin key and names `org`. */
const JOB_CALLER: Caller = { boundOrg: undefined, unboundName: 'a queue job' };
/** Data nested deeper than this is not copied to the failed-jobs queue (it could not be). */
const COPY_DEPTH_MAX = 1000;

export class QueueIngest {
  private readonly worker: Worker<unknown, JobResult>;
  private readonly failed: Queue<FailedJobData>;
  private readonly quotaSlots = new QuotaSlots();
  /** Outages in a row; reset by the first job that passes. */
  private outageStreak = 0;
  private resumeTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private lastError = { message: '', atMs: 0 };

  private constructor(private readonly deps: QueueIngestDeps) {
    const { config, metrics } = deps;
    // loadConfig refuses --queue without --redis-url.
    const connection = { url: config.redisUrl ?? '' };
    this.failed = new Queue<FailedJobData>(`${config.queueName}-failed`, { connection });
    this.worker = new Worker<unknown, JobResult>(
      config.queueName,
      (job, token) => this.process(job, token),
      {
        connection,
        // Started by start() once Redis answers: see there.
        autorun: false,
        concurrency: config.queueConcurrency,
        // BullMQ keeps every finished job by default: bound what a busy gateway leaves behind.
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 10_000 },
        // A job stalls (its lock expires and the stalled check puts it back) after a crash, a
        // shutdown timeout or a Redis error while hubcast moved it. BullMQ fails it on the
        // second stall; a few are allowed, more is a job that takes nodes down.
        maxStalledCount: 3,
      },
    );
    this.worker.on('completed', (job) => metrics.countQueueJob(jobLabel(job), 'done'));
    // Every job that ends failed: the ones sent to `-failed`, and any BullMQ gives up itself.
    this.worker.on('failed', (job) => metrics.countQueueJob(jobLabel(job), 'failed'));
    // Without a listener an 'error' event would throw; a down Redis repeats it every retry.
    this.worker.on('error', (err) => this.logError(err));
    this.failed.on('error', (err) => this.logError(err));
  }

  /** Starts taking jobs; connecting to Redis goes on in the background, logged when it fails. */
  static start(deps: QueueIngestDeps): QueueIngest {
    const ingest = new QueueIngest(deps);
    // The worker's loop starts only once Redis answers: BullMQ's close() never returns for a
    // worker that started against a Redis it never reached (taskforcesh/bullmq#4656), and a
    // node must stop even when its queue Redis is away.
    ingest.worker
      .waitUntilReady()
      .then(() => (ingest.closing === undefined ? ingest.worker.run() : undefined))
      .catch((err: unknown) => {
        if (ingest.closing === undefined) ingest.logError(err);
      });
    deps.logger.info(
      { queue: deps.config.queueName, concurrency: deps.config.queueConcurrency },
      'queue ingest started',
    );
    return ingest;
  }

  /**
   * Takes no new job, waits for the running ones, then disconnects. Past `--shutdown-timeout`
   * it disconnects anyway: those jobs keep their lock until it expires and are then put back.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearTimeout(this.resumeTimer);
      const closed = Promise.all([this.worker.close(), this.failed.close()]);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), this.deps.config.shutdownTimeout * 1000);
      });
      const finished = closed.then(
        () => false,
        (err: unknown) => {
          this.logError(err);
          return false;
        },
      );
      const late = await Promise.race([finished, timedOut]);
      clearTimeout(timer);
      if (late) {
        this.deps.logger.warn('queue jobs still running at the shutdown timeout: given up');
        await Promise.allSettled([this.worker.disconnect(), this.failed.disconnect()]);
      }
    })();
    return this.closing;
  }

  private async process(
    job: Job<unknown, JobResult>,
    token: string | undefined,
  ): Promise<JobResult> {
    try {
      const result = await this.run(job);
      this.outageStreak = 0;
      return result;
    } catch (err) {
      return this.onError(job, token, err);
    }
  }

  private run(job: Job<unknown, JobResult>): Promise<JobResult> {
    const { node } = this.deps;
    const parsed = parseJob(job.name, job.data, node.config);
    const body = withJobIdKey(parsed, job.id);
    return parsed.name === 'publish'
      ? publishBody(node, JOB_CALLER, body)
      : notifyBody(node, JOB_CALLER, body);
  }

  /** Puts the job back or fails it for good; always throws, as BullMQ expects. */
  private async onError(job: Job, token: string | undefined, err: unknown): Promise<never> {
    const { logger } = this.deps;
    const verdict = judgeJobError(err);
    const where = { queue: job.queueName, jobId: job.id, job: job.name };
    switch (verdict.kind) {
      case 'outage': {
        // The engine is down for every job: the first in line goes back to the head of the
        // queue, and the node takes no job for a growing pause instead of churning the rest.
        const pauseMs = this.pause();
        logger.warn({ ...where, pauseMs, reason: verdict.message }, 'queue job put back');
        return this.putBack(job, () => job.moveToWait(token));
      }
      case 'quota': {
        const at = this.quotaSlots.next(orgOf(job.data), verdict.retryAfterMs);
        return this.putBack(job, () => job.moveToDelayed(at, token));
      }
      case 'error':
        logger.error({ ...where, err, attempt: job.attemptsStarted }, 'queue job failed');
        if (job.attemptsStarted < MAX_ERROR_ATTEMPTS)
          return this.putBack(job, () =>
            job.moveToDelayed(Date.now() + backoffMs(job.attemptsStarted), token),
          );
        return this.failForGood(job, {
          code: 'internal',
          message: `internal error ${job.attemptsStarted} times (see the server log)`,
        });
      case 'fail':
        return this.failForGood(job, {
          code: verdict.code,
          message: verdict.message,
          ...verdict.details,
        });
      default: {
        const never: never = verdict;
        throw new Error(`unknown verdict ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * Moves the job back and tells BullMQ it did (DelayedError: the worker leaves it alone). When
   * the move fails (Redis away) the job stays active without a lock renewal, and BullMQ's stalled
   * check puts it back later: a job is never failed for a failure that may pass.
   */
  private async putBack(job: Job, move: () => Promise<unknown>): Promise<never> {
    try {
      await move();
      this.deps.metrics.countQueueJob(jobLabel(job), 'retried');
    } catch (err) {
      this.logError(err);
    }
    throw new DelayedError();
  }

  /** Copies the job with its reason to the failed-jobs queue, then fails it without retry. */
  private async failForGood(job: Job, error: FailedJobData['error']): Promise<never> {
    const id = job.id ?? 'unknown';
    const entry: FailedJobData = {
      queue: job.queueName,
      job_id: id,
      ...(jsonDepthExceeds(job.data, COPY_DEPTH_MAX) ? {} : { data: job.data }),
      error,
      attempts: job.attemptsStarted,
      failed_at: new Date().toISOString(),
    };
    // One entry per job even when a crash makes it fail twice; BullMQ ids take no ':'.
    const entryId = `${id}-${job.timestamp}`.replace(/:/g, '_');
    try {
      await this.failed.add(job.name, entry, { jobId: entryId });
    } catch (err) {
      // Not failed without its record: left to the stalled check, it comes back to try again.
      this.logError(err);
      throw new DelayedError();
    }
    this.deps.logger.warn(
      { queue: job.queueName, jobId: id, job: job.name, code: error.code, reason: error.message },
      'queue job failed for good',
    );
    throw new UnrecoverableError(`${error.code}: ${error.message}`);
  }

  /** Stops taking jobs for the next step of the outage backoff; answers its length. */
  private pause(): number {
    if (this.resumeTimer !== undefined || this.closing !== undefined)
      return backoffMs(this.outageStreak);
    this.outageStreak++;
    const ms = backoffMs(this.outageStreak);
    void this.worker.pause(true);
    this.resumeTimer = setTimeout(() => {
      this.resumeTimer = undefined;
      if (this.closing === undefined) void this.worker.resume();
    }, ms);
    // A pause must not keep a stopping process alive.
    this.resumeTimer.unref();
    return ms;
  }

  /** Logs a Redis or BullMQ error, once a minute per message: a down Redis repeats it often. */
  private logError(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    const nowMs = Date.now();
    if (message === this.lastError.message && nowMs - this.lastError.atMs < 60_000) return;
    this.lastError = { message, atMs: nowMs };
    this.deps.logger.warn({ queue: this.deps.config.queueName, err }, 'queue ingest error');
  }
}

/** The job's name as a metric label: a bounded set, whatever names producers send. */
function jobLabel(job: Job | undefined): 'publish' | 'notify' | 'other' {
  return job?.name === 'publish' || job?.name === 'notify' ? job.name : 'other';
}

/** The tenant a job charges (the first item's for an array), to line up its quota retries. */
function orgOf(data: unknown): string {
  const first: unknown = Array.isArray(data) ? data[0] : data;
  return isObject(first) && typeof first['org'] === 'string' ? first['org'] : '';
}
