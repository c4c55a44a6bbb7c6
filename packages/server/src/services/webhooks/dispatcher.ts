/**
 * The node's webhook sender: one loop that claims due deliveries from the store and POSTs them
 * (send-webhook.ts). Rows live in the store, so a dead endpoint grows the table, never this
 * node's memory: at most `perNodeMax` requests are in flight, at most `perOrgMax` of one
 * tenant, so one tenant's hanging endpoint cannot hold every slot.
 *
 * At least once: a row is deleted only after a 2xx. A node that dies mid-request leaves its
 * lease to run out, and any node sends the row again under the same id (receivers dedupe).
 */
import type { Logger } from 'pino';
import type { WebhookDelivery, WebhookStore } from '../../store/webhook-store.js';
import { retryDelayMs, type RetrySchedule } from './retry-schedule.js';
import { sendWebhook, type AttemptResult, type WebhookEndpoint } from './send-webhook.js';
import type { WebhookMetrics } from './webhook-metrics.js';

export interface DispatcherOptions {
  store: () => WebhookStore;
  /** Each tenant's endpoint; a row of a tenant without one becomes a dead letter. */
  endpointOf: (org: string) => WebhookEndpoint | undefined;
  timeoutMs: number;
  schedule: RetrySchedule;
  metrics: WebhookMetrics;
  logger: Logger;
  /** Requests in flight per tenant on this node (4). */
  perOrgMax?: number;
  /** Requests in flight on this node (32). */
  perNodeMax?: number;
  /** How often the store is asked for rows this node did not queue or schedule itself (1000). */
  pollMs?: number;
  random?: () => number;
}

export class WebhookDispatcher {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly busy = new Map<string, number>();
  private readonly perOrgMax: number;
  private readonly perNodeMax: number;
  private readonly pollMs: number;
  /** The lease outlives a request that times out, with room for the store's answer. */
  private readonly leaseMs: number;
  private running = false;
  private passing = false;
  private again = false;
  private poll: NodeJS.Timeout | undefined;
  /**
   * Wakes for the retries this node scheduled before the next poll, so a short backoff is
   * kept; past `perNodeMax` of them, later ones wait for the poll.
   */
  private readonly retryWakes = new Set<NodeJS.Timeout>();
  private abort = new AbortController();
  private failing = false;

  constructor(private readonly options: DispatcherOptions) {
    this.perOrgMax = options.perOrgMax ?? 4;
    this.perNodeMax = options.perNodeMax ?? 32;
    this.pollMs = options.pollMs ?? 1000;
    this.leaseMs = options.timeoutMs * 2 + 5000;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.wake();
  }

  /** Claims now: rows were queued, a slot freed, or a retry fell due. */
  wake(): void {
    if (!this.running) return;
    if (this.passing) {
      this.again = true;
      return;
    }
    this.passing = true;
    void this.pass().finally(() => {
      this.passing = false;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  /**
   * Stops claiming, then waits up to `boundMs` for the requests in flight; those still running
   * are aborted and their rows left to their lease (another node, or the next start, sends them).
   */
  async stop(boundMs: number): Promise<void> {
    this.running = false;
    clearTimeout(this.poll);
    for (const timer of this.retryWakes) clearTimeout(timer);
    this.retryWakes.clear();
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, boundMs)));
    await Promise.race([Promise.allSettled([...this.inFlight.values()]), bound]);
    clearTimeout(timer);
    this.abort.abort();
    await Promise.allSettled([...this.inFlight.values()]);
  }

  private async pass(): Promise<void> {
    clearTimeout(this.poll);
    try {
      const free = this.perNodeMax - this.inFlight.size;
      if (free > 0) {
        const rows = await this.options.store().claim({
          limit: free,
          leaseMs: this.leaseMs,
          perOrgMax: this.perOrgMax,
          busy: this.busy,
        });
        if (this.failing) this.options.logger.info('webhook store answering again');
        this.failing = false;
        for (const row of rows) this.launch(row);
      }
    } catch (err) {
      if (!this.failing) this.options.logger.warn({ err }, 'webhook claim failed; retrying');
      this.failing = true;
    }
    if (this.running) {
      this.poll = setTimeout(() => this.wake(), this.pollMs);
      this.poll.unref();
    }
  }

  private launch(row: WebhookDelivery): void {
    this.busy.set(row.org, (this.busy.get(row.org) ?? 0) + 1);
    const work = this.attempt(row).finally(() => {
      this.inFlight.delete(row.id);
      const left = (this.busy.get(row.org) ?? 1) - 1;
      if (left > 0) this.busy.set(row.org, left);
      else this.busy.delete(row.org);
      this.wake();
    });
    this.inFlight.set(row.id, work);
  }

  private async attempt(row: WebhookDelivery): Promise<void> {
    const { store, endpointOf, timeoutMs, schedule, metrics, logger } = this.options;
    const endpoint = endpointOf(row.org);
    const startedMs = performance.now();
    const result: AttemptResult =
      endpoint === undefined
        ? { ok: false, error: 'no webhook endpoint is configured for this org' }
        : await sendWebhook({
            id: row.id,
            body: row.body,
            endpoint,
            timeoutMs,
            nowSeconds: Math.floor(Date.now() / 1000),
            signal: this.abort.signal,
          });
    const seconds = (performance.now() - startedMs) / 1000;
    // Stopped mid-request: the row keeps its lease and is sent again later.
    if (!result.ok && this.abort.signal.aborted) return;
    try {
      if (result.ok) {
        await store().succeeded(row.id, row.attempts);
        metrics.countAttempt('delivered', seconds);
        return;
      }
      const retryInMs =
        endpoint === undefined
          ? undefined
          : retryDelayMs(row.attempts, schedule, this.options.random);
      const failure = {
        error: result.error ?? 'failed',
        ...(result.status === undefined ? {} : { status: result.status }),
        ...(retryInMs === undefined ? {} : { retryInMs }),
      };
      await store().failed(row.id, row.attempts, failure);
      metrics.countAttempt(retryInMs === undefined ? 'dead' : 'retried', seconds);
      if (retryInMs === undefined)
        logger.warn({ webhook: row.id, org: row.org, error: failure.error }, 'webhook dead');
      else this.wakeAt(retryInMs);
    } catch (err) {
      // The lease runs out and the row is sent again: at least once.
      logger.warn({ err, webhook: row.id }, 'webhook outcome not recorded');
    }
  }

  private wakeAt(delayMs: number): void {
    if (delayMs >= this.pollMs || !this.running || this.retryWakes.size >= this.perNodeMax) return; // the poll comes first, or will do
    const timer = setTimeout(() => {
      this.retryWakes.delete(timer);
      this.wake();
    }, delayMs);
    timer.unref();
    this.retryWakes.add(timer);
  }
}
