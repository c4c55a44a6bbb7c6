// A backend publishing through the queue instead of the HTTP API (README, "Publishing through a
// queue"): it adds a `publish` and a `notify` job to the queue a hubcast node takes jobs from,
// prints what hubcast answered for each, then adds a job that can never succeed and prints the
// reason hubcast gave it in the failed-jobs queue.
//
//   hubcast serve --queue --redis-url redis://127.0.0.1:6379 ...   # a node taking the jobs
//   REDIS_URL=redis://127.0.0.1:6379 node examples/queue-producer.mjs
//
// HUBCAST_QUEUE names another queue (the node's --queue-name, default hubcast), HUBCAST_ORG
// another tenant (default acme). Plain Node ESM: it needs only the bullmq package.
import { Queue, QueueEvents } from 'bullmq';

const connection = { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' };
const name = process.env.HUBCAST_QUEUE ?? 'hubcast';
const org = process.env.HUBCAST_ORG ?? 'acme';
const WAIT_MS = 10_000;

const queue = new Queue(name, { connection });
const failed = new Queue(`${name}-failed`, { connection });
// Job results come back as events; follow them before adding, so none is missed.
const events = new QueueEvents(name, { connection });
await events.waitUntilReady();

try {
  // One event. The key makes it publish once however often this job is added (or retried by
  // your code), and it shares its scope with the HTTP API's keys of this tenant.
  const publish = await queue.add('publish', {
    org,
    channel: 'orders.o-1042.status',
    data: { status: 'paid' },
    key: 'order-1042-paid',
  });
  console.log('publish:', JSON.stringify(await publish.waitUntilFinished(events, WAIT_MS)));

  // One notification per user, in their inboxes and pushed to their devices. A jobId of your
  // own serves as the key when the data has none.
  const notify = await queue.add(
    'notify',
    {
      org,
      users: ['alice', 'bob'],
      notification: { kind: 'order.paid', title: 'Order 1042 paid', data: { order: 1042 } },
    },
    { jobId: 'notify-order-1042-paid' },
  );
  console.log('notify:', JSON.stringify(await notify.waitUntilFinished(events, WAIT_MS)));

  // A pattern is no channel to publish to: this job fails at once, without retries, and a copy
  // with the reason goes to the failed-jobs queue.
  const bad = await queue.add('publish', { org, channel: 'orders.*', data: 1 });
  try {
    await bad.waitUntilFinished(events, WAIT_MS);
  } catch (err) {
    console.log('failed:', err instanceof Error ? err.message : String(err));
  }
  // Nothing takes jobs from that queue: look at them, fix the data and add them again.
  const entries = await failed.getJobs(['waiting']);
  const entry = entries.find((j) => j.data.job_id === bad.id);
  console.log(`in ${name}-failed:`, JSON.stringify(entry?.data.error));
} finally {
  await Promise.all([events.close(), queue.close(), failed.close()]);
}
