/**
 * Prometheus metrics (prom-client), one registry per node so several nodes can live in one
 * process (tests, the bench). Hot-path counts are plain numbers read at scrape time: a
 * prom-client `inc()` per delivered message would cost more than the delivery bookkeeping.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { TenantCounters } from '../admin/tenant-counters.js';
import { RateWindow } from './rate-window.js';

/** Tenants the admin console charts one by one per node; the rest share one tally. */
const ADMIN_TENANTS_MAX = 20;
/** A tenant idle this many samples (10 min) gives its slot up. */
const ADMIN_TENANT_IDLE_SAMPLES = 600;

export interface MetricsSource {
  connections(): number;
  subscriptions(): number;
}

/** The limits that report when they trip (`hubcast_limits_tripped_total{limit}`). */
export type LimitName =
  | 'inbound_backlog'
  | 'write_stall'
  | 'rate_limit'
  | 'max_connections'
  | 'unauthenticated_per_ip'
  | 'tenant_connections'
  | 'user_connections'
  | 'tenant_publish_rate';

/** What became of a queue job (`hubcast_queue_jobs_total{job,outcome}`). */
export type QueueJobOutcome = 'done' | 'failed' | 'retried';

export class Metrics {
  readonly registry = new Registry();
  /** Hot-path counts, bumped as plain numbers and read at scrape time. */
  readonly hot = {
    /** Messages handed to a connection's send queue by fan-out. */
    delivered: 0,
    /** Connections closed because their send queue overflowed. */
    queueDrops: 0,
    /** Ephemeral events not queued to a connection past the ephemeral bound (docs/ephemeral.md). */
    ephemeralDropped: 0,
    /** Ephemeral events that replaced an older one of their channel in a send queue. */
    ephemeralCoalesced: 0,
  };
  /** Per-tenant counts for the admin console's sampler (admin/sampler.ts). */
  readonly tenants = new TenantCounters(ADMIN_TENANTS_MAX, ADMIN_TENANT_IDLE_SAMPLES);
  private readonly published: Counter;
  private readonly closes: Counter<'code'>;
  private readonly limits: Counter<'limit'>;
  private readonly gapEvents: Counter;
  private readonly fanoutLatency: Histogram;
  private readonly queueJobs: Counter<'job' | 'outcome'>;
  private readonly total = new RateWindow();
  private readonly byOrg = new Map<string, RateWindow>();
  /** Web Push sends by outcome (services/push/dispatcher.ts `PushSendOutcome`). */
  private readonly webPushSends = new Counter<'outcome'>({
    name: 'hubcast_web_push_sends_total',
    help:
      'Web Push sends by outcome: delivered, gone (subscription forgotten), retry (429, 5xx, ' +
      'network), rejected (another 4xx, dropped), skipped_online (a due push whose user is ' +
      'connected now, dropped; one per push, not per device).',
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  constructor(source: MetricsSource, withDefaults = false) {
    const registers = [this.registry];
    if (withDefaults)
      collectDefaultMetrics({ register: this.registry, prefix: 'hubcast_process_' });
    new Gauge({
      name: 'hubcast_connections',
      help: 'Open, authenticated WebSocket connections.',
      registers,
      collect() {
        this.set(source.connections());
      },
    });
    new Gauge({
      name: 'hubcast_subscriptions',
      help: 'Live subscriptions across connections.',
      registers,
      collect() {
        this.set(source.subscriptions());
      },
    });
    this.published = new Counter({
      name: 'hubcast_events_published_total',
      help: 'Events appended to the log.',
      registers,
    });
    const hot = this.hot;
    new Counter({
      name: 'hubcast_events_delivered_total',
      help: 'Event messages queued to connections.',
      registers,
      collect() {
        this.reset();
        this.inc(hot.delivered);
      },
    });
    new Counter({
      name: 'hubcast_send_queue_drops_total',
      help: 'Connections closed because their send queue passed its bound (close 4001).',
      registers,
      collect() {
        this.reset();
        this.inc(hot.queueDrops);
      },
    });
    new Counter({
      name: 'hubcast_ephemeral_dropped_total',
      help:
        'Ephemeral events dropped for a connection whose send queue was past half its bounds ' +
        '(the connection stays open).',
      registers,
      collect() {
        this.reset();
        this.inc(hot.ephemeralDropped);
      },
    });
    new Counter({
      name: 'hubcast_ephemeral_coalesced_total',
      help: 'Ephemeral events that replaced an older one of their channel before a flush.',
      registers,
      collect() {
        this.reset();
        this.inc(hot.ephemeralCoalesced);
      },
    });
    this.closes = new Counter({
      name: 'hubcast_connection_closes_total',
      help: 'Connections closed by the server, by close code.',
      labelNames: ['code'],
      registers,
    });
    this.limits = new Counter({
      name: 'hubcast_limits_tripped_total',
      help: 'Times a limit refused or cut something, by limit (see serve --help).',
      labelNames: ['limit'],
      registers,
    });
    this.gapEvents = new Counter({
      name: 'hubcast_broker_gap_events_total',
      help: 'Events the broker did not bring this node (lost pub/sub messages), read from the log.',
      registers,
    });
    this.queueJobs = new Counter({
      name: 'hubcast_queue_jobs_total',
      help:
        'Queue jobs by name (publish, notify, other) and outcome: done, failed (not retried; ' +
        'in the failed-jobs queue), retried (put back to try again).',
      labelNames: ['job', 'outcome'],
      registers,
    });
    this.fanoutLatency = new Histogram({
      name: 'hubcast_fanout_latency_seconds',
      help: 'From receiving a publish to queueing it to every local subscriber.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
  }

  countPublished(org: string, n: number): void {
    this.published.inc(n);
    this.total.add(n);
    let w = this.byOrg.get(org);
    if (w === undefined) this.byOrg.set(org, (w = new RateWindow()));
    w.add(n);
    this.tenants.addEvents(org, n);
  }

  /** A connection of `org` closed as a slow consumer (4001). */
  countQueueDrop(org: string): void {
    this.hot.queueDrops++;
    this.tenants.addQueueDrop(org);
  }

  /**
   * What one fan-out of `org` delivered and dropped (the change of `hot.delivered` and
   * `hot.ephemeralDropped` across it): one call per append, not per message.
   */
  countFanout(org: string, deliveries: number, ephemeralDrops = 0): void {
    this.tenants.addDeliveries(org, deliveries);
    this.tenants.addEphemeralDrops(org, ephemeralDrops);
  }

  countClose(code: number): void {
    this.closes.inc({ code: String(code) });
  }

  /** A limit refused a connection or request, closed a connection, or held a reader back. */
  countLimit(limit: LimitName): void {
    this.limits.inc({ limit });
  }

  /** Events a gap fill read from the log because the broker lost them. */
  countGapEvents(n: number): void {
    this.gapEvents.inc(n);
  }

  countQueueJob(job: 'publish' | 'notify' | 'other', outcome: QueueJobOutcome): void {
    this.queueJobs.inc({ job, outcome });
  }

  countWebPush(outcome: string): void {
    this.webPushSends.inc({ outcome });
  }

  observeFanout(seconds: number, org?: string): void {
    this.fanoutLatency.observe(seconds);
    if (org !== undefined) this.tenants.observeLag(org, seconds * 1000);
  }

  /** Events per second over the last 10 s (PROTOCOL.md §8 `/api/stats`). */
  eventsPerSecond(org?: string): number {
    if (org === undefined) return this.total.perSecond();
    return this.byOrg.get(org)?.perSecond() ?? 0;
  }

  /** Where `/metrics` text comes from: this registry, or all workers' (`serve --workers`). */
  textSource: () => Promise<string> = () => this.registry.metrics();

  text(): Promise<string> {
    return this.textSource();
  }
}
