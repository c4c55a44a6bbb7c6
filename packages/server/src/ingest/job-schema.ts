/**
 * The jobs queue ingest takes (README "Publishing through a queue", issue 11): a BullMQ job
 * named `publish` or `notify` whose data is the body of `POST /api/publish` or `/api/notify`.
 * zod checks the envelope here (name, shape, size); the fields inside go through the HTTP
 * routes' own validation (`publishBody`, `notifyBody`), so the two doors cannot drift apart.
 */
import { z } from 'zod';
import {
  badRequest,
  isObject,
  jsonDepthExceeds,
  tooLarge,
  type ErrorCode,
} from '@hubcast/protocol';

export const JOB_NAMES = ['publish', 'notify'] as const;
export type JobName = (typeof JOB_NAMES)[number];

const NAMES_TEXT = JOB_NAMES.map((n) => `'${n}'`).join(' and ');
const jsonObject = z.record(z.string(), z.unknown());

const jobSchema = z.discriminatedUnion('name', [
  z.object({
    name: z.literal('publish'),
    // One item or an array, as the HTTP body; the route checks each item.
    data: z.union([jsonObject, z.array(z.unknown())], {
      error: 'publish job data must be an object or an array of them',
    }),
  }),
  z.object({
    name: z.literal('notify'),
    data: z.record(z.string(), z.unknown(), { error: 'notify job data must be an object' }),
  }),
]);

/** A job whose envelope is valid; `data` is still the raw body. */
export type QueueJob = z.infer<typeof jobSchema>;

export interface JobLimits {
  /** The HTTP body limit (`--max-message-bytes`), applied to the job's data as JSON. */
  maxMessageBytes: number;
  /** `--max-data-depth`; a body may nest two levels more (notify's `notification.data`). */
  maxDataDepth: number;
}

/** Checks a job's name, shape and size; throws `bad_request` or `too_large` (never retried). */
export function parseJob(name: string, data: unknown, limits: JobLimits): QueueJob {
  const parsed = jobSchema.safeParse({ name, data });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue === undefined || issue.path[0] === 'name')
      throw badRequest(`unknown job name '${name.slice(0, 64)}': hubcast takes ${NAMES_TEXT}`);
    throw badRequest(issue.message);
  }
  // Depth before size: serializing data nested thousands deep overflows the stack.
  const maxDepth = limits.maxDataDepth + 2;
  if (jsonDepthExceeds(data, maxDepth))
    throw badRequest(`the job data nests deeper than ${maxDepth} levels`);
  const bytes = Buffer.byteLength(JSON.stringify(data));
  if (bytes > limits.maxMessageBytes)
    throw tooLarge(
      `job data of ${bytes} bytes is larger than ${limits.maxMessageBytes} ` +
        "(the node's --max-message-bytes)",
    );
  return parsed.data;
}

/**
 * The idempotency key a job id gives: a producer's own `jobId` (a string BullMQ refuses to be
 * an integer), never BullMQ's counter ids, which start again at 1 when a queue is emptied.
 */
export function keyFromJobId(id: string | undefined): string | undefined {
  if (id === undefined || id === '' || String(parseInt(id, 10)) === id) return undefined;
  return id;
}

/** The body with the job id as its `key` when it is one object that has none. */
export function withJobIdKey(job: QueueJob, id: string | undefined): unknown {
  const key = keyFromJobId(id);
  if (key === undefined || !isObject(job.data) || job.data['key'] !== undefined) return job.data;
  // An ephemeral event has no log to dedupe in (docs/ephemeral.md): the job id stays an id.
  if (job.data['ephemeral'] === true) return job.data;
  // The HTTP rule for keys, named for where this one came from.
  if (key.length > 255)
    throw badRequest("a jobId used as idempotency key must be at most 255 characters; set 'key'");
  return { ...job.data, key };
}

/** What a job of the failed-jobs queue (`<queueName>-failed`) holds. */
export interface FailedJobData {
  /** The queue and id of the job that failed. */
  queue: string;
  job_id: string;
  /** The job's data as its producer gave it (absent when too deep to copy). */
  data?: unknown;
  /** Why it can never succeed: a code of PROTOCOL.md §4 and a message naming the field. */
  error: { code: ErrorCode; message: string; [detail: string]: unknown };
  /** How many times a worker started it. */
  attempts: number;
  /** RFC 3339 UTC. */
  failed_at: string;
}
