/**
 * Webhooks (docs/webhooks.md): what the node reports to a tenant's backend. `emit` writes a
 * delivery to the store (durable from then on) and wakes the node's dispatcher; the dispatcher
 * sends it, retries it and, out of attempts, keeps it as a dead letter the API lists and
 * requeues. Only tenants with an endpoint in `webhooks`, and only the events it names, cost
 * anything.
 */
import { randomBytes } from 'node:crypto';
import type { JsonValue } from '@hubcast/protocol';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../../config/schema.js';
import type { NewWebhook, WebhookDelivery, WebhookStore } from '../../store/webhook-store.js';
import { WebhookDispatcher } from './dispatcher.js';
import type { WebhookEventType } from './event-types.js';
import type { WebhookEndpoint } from './send-webhook.js';
import { WebhookMetrics } from './webhook-metrics.js';

interface TenantEndpoint extends WebhookEndpoint {
  /** The events sent; undefined: all. */
  events: ReadonlySet<string> | undefined;
}

export interface WebhookServiceOptions {
  config: Pick<
    Config,
    | 'webhooks'
    | 'webhookTimeout'
    | 'webhookMaxAttempts'
    | 'webhookRetryBase'
    | 'webhookRetryCap'
    | 'shutdownTimeout'
  >;
  store: () => WebhookStore;
  registry: Registry;
  logger: Logger;
  /** Dispatcher tuning for tests; see `DispatcherOptions`. */
  pollMs?: number;
}

/** A dead letter as `GET /api/webhooks/dead` shows it. */
export interface DeadLetter {
  id: string;
  type: string;
  created_at: string;
  attempts: number;
  last_status?: number;
  last_error?: string;
  /** The payload that was POSTed, as JSON. */
  payload: JsonValue;
}

export class WebhookService {
  private readonly endpoints = new Map<string, TenantEndpoint>();
  private readonly dispatcher: WebhookDispatcher;
  private readonly enqueuing = new Set<Promise<void>>();
  private readonly metrics: WebhookMetrics;

  constructor(private readonly options: WebhookServiceOptions) {
    const { config } = options;
    for (const w of config.webhooks)
      this.endpoints.set(w.org, {
        url: w.url,
        secret: w.secret,
        events: w.events === undefined ? undefined : new Set(w.events),
      });
    // Without endpoints nothing is queued: no store reads at scrape time, no polling.
    this.metrics = new WebhookMetrics(
      options.registry,
      () =>
        this.endpoints.size === 0
          ? Promise.resolve({ pending: 0, dead: 0 })
          : options.store().counts(),
      () => this.dispatcher.inFlightCount,
    );
    this.dispatcher = new WebhookDispatcher({
      store: options.store,
      endpointOf: (org) => this.endpoints.get(org),
      timeoutMs: config.webhookTimeout * 1000,
      schedule: {
        baseMs: config.webhookRetryBase * 1000,
        capMs: config.webhookRetryCap * 1000,
        maxAttempts: config.webhookMaxAttempts,
      },
      metrics: this.metrics,
      logger: options.logger,
      ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
    });
  }

  /** Whether the org has an endpoint that takes this event (check before costly tracking). */
  wants(org: string, type: WebhookEventType): boolean {
    const endpoint = this.endpoints.get(org);
    return endpoint !== undefined && (endpoint.events === undefined || endpoint.events.has(type));
  }

  /** Whether any tenant takes one of these events. */
  anyWants(...types: WebhookEventType[]): boolean {
    for (const endpoint of this.endpoints.values())
      if (endpoint.events === undefined || types.some((t) => endpoint.events?.has(t))) return true;
    return false;
  }

  /**
   * Queues the event for the org's endpoint, if it takes it. Resolves once it is in the store
   * (or failed to get there, which is logged: the event is then lost).
   */
  emit(org: string, type: WebhookEventType, data: JsonValue): Promise<void> {
    const delivery = this.delivery(org, type, data);
    if (delivery === undefined) return Promise.resolve();
    const work = this.options
      .store()
      .enqueue([delivery])
      .then(
        () => this.queued([delivery]),
        (err: unknown) =>
          this.options.logger.warn({ err, org, type }, 'webhook not queued: the store failed'),
      );
    this.enqueuing.add(work);
    void work.finally(() => this.enqueuing.delete(work));
    return work;
  }

  /**
   * The row `emit` would queue, or undefined when the org does not take the event: for a caller
   * that queues it in a transaction of its own (a notify's follow-up), then calls `queued`.
   */
  delivery(org: string, type: WebhookEventType, data: JsonValue): NewWebhook | undefined {
    if (!this.wants(org, type)) return undefined;
    const id = newWebhookId();
    const body = JSON.stringify({ id, type, org, created_at: new Date().toISOString(), data });
    return { id, org, type, body };
  }

  /** Rows now in the store: counted, and the dispatcher wakes to send them. */
  queued(items: readonly NewWebhook[]): void {
    if (items.length === 0) return;
    for (const item of items) this.metrics.countEnqueued(item.type);
    this.dispatcher.wake();
  }

  start(): void {
    if (this.endpoints.size > 0) this.dispatcher.start();
  }

  /**
   * Waits for the events being queued, then stops the dispatcher, waiting for its requests up
   * to the webhook timeout (bounded by the shutdown timeout).
   */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.enqueuing]);
    const { webhookTimeout, shutdownTimeout } = this.options.config;
    await this.dispatcher.stop(Math.min(webhookTimeout, shutdownTimeout) * 1000);
  }

  /** The org's dead letters in id order (oldest first), after `after`. */
  async dead(
    org: string,
    limit: number,
    after?: string,
  ): Promise<{ items: DeadLetter[]; more: boolean }> {
    const rows = await this.options
      .store()
      .dead(org, { limit: limit + 1, ...(after === undefined ? {} : { after }) });
    return { items: rows.slice(0, limit).map(deadLetter), more: rows.length > limit };
  }

  /** Puts the org's dead letters among `ids` back in the queue; answers those requeued. */
  async retry(org: string, ids: readonly string[]): Promise<string[]> {
    const requeued = await this.options.store().retry(org, ids);
    if (requeued.length > 0) this.dispatcher.wake();
    return requeued;
  }
}

/** Time-ordered (so dead letters list oldest first) and unguessable. */
export function newWebhookId(): string {
  return `wh_${Date.now().toString(36).padStart(9, '0')}${randomBytes(10).toString('hex')}`;
}

function deadLetter(row: WebhookDelivery): DeadLetter {
  return {
    id: row.id,
    type: row.type,
    created_at: new Date(row.createdAtMs).toISOString(),
    attempts: row.attempts,
    ...(row.lastStatus === undefined ? {} : { last_status: row.lastStatus }),
    ...(row.lastError === undefined ? {} : { last_error: row.lastError }),
    payload: JSON.parse(row.body) as JsonValue,
  };
}
