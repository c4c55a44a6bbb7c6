/**
 * The webhook metrics, registered on the node's registry (metrics/metrics.ts): a webhook
 * attempt is rare next to an event delivery, so prom-client calls per attempt cost nothing
 * that matters.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { WebhookCounts } from '../../store/webhook-store.js';

/** What became of one attempt: sent (2xx), retried, or dead (the last attempt failed). */
export type WebhookOutcome = 'delivered' | 'retried' | 'dead';

export class WebhookMetrics {
  private readonly outcomes: Counter<'outcome'>;
  private readonly attempts: Counter;
  private readonly enqueued: Counter<'type'>;
  private readonly latency: Histogram;

  constructor(registry: Registry, counts: () => Promise<WebhookCounts>, inFlight: () => number) {
    const registers = [registry];
    this.outcomes = new Counter({
      name: 'hubcast_webhook_deliveries_total',
      help: 'Webhook attempts by outcome: delivered (2xx), retried, dead (out of attempts).',
      labelNames: ['outcome'],
      registers,
    });
    this.attempts = new Counter({
      name: 'hubcast_webhook_attempts_total',
      help: 'Webhook requests sent by this node.',
      registers,
    });
    this.enqueued = new Counter({
      name: 'hubcast_webhook_events_total',
      help: 'Webhooks queued by this node, by event type.',
      labelNames: ['type'],
      registers,
    });
    this.latency = new Histogram({
      name: 'hubcast_webhook_latency_seconds',
      help: 'From sending a webhook request to its answer (or failure).',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    // Both read the store at scrape time (cluster-wide with PostgreSQL); a store that cannot
    // answer leaves the last value.
    let last: WebhookCounts | undefined;
    const read = async (): Promise<WebhookCounts | undefined> =>
      (last = await counts().catch(() => last));
    new Gauge({
      name: 'hubcast_webhook_queue_depth',
      help: 'Webhooks waiting to be delivered (the whole store).',
      registers,
      async collect() {
        const c = await read();
        if (c !== undefined) this.set(c.pending);
      },
    });
    new Gauge({
      name: 'hubcast_webhook_dead_letters',
      help: 'Webhooks out of attempts, kept for GET /api/webhooks/dead (the whole store).',
      registers,
      async collect() {
        const c = await read();
        if (c !== undefined) this.set(c.dead);
      },
    });
    new Gauge({
      name: 'hubcast_webhook_in_flight',
      help: 'Webhook requests this node is waiting on.',
      registers,
      collect() {
        this.set(inFlight());
      },
    });
  }

  countEnqueued(type: string, n = 1): void {
    this.enqueued.inc({ type }, n);
  }

  countAttempt(outcome: WebhookOutcome, seconds: number): void {
    this.attempts.inc();
    this.outcomes.inc({ outcome });
    this.latency.observe(seconds);
  }
}
