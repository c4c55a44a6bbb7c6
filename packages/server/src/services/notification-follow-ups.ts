/**
 * Carries out the follow-ups a notify records with its notifications (store/follow-up-store.ts):
 * claims them with a lease, asks presence who is still offline, and completes each by queueing
 * its Web Push deliveries and `notification.undelivered` webhooks in one transaction that also
 * forgets it. A crash before the completion leaves the follow-up to the next claim after its
 * lease (this node restarted, or another node of the cluster); the completion's fence keeps a
 * claimer that lost its lease from queueing anything, so each follow-up's work is queued once.
 *
 * Passes run one at a time, when kicked (`flush` after a notify) and every `pollMs` (follow-ups a
 * crash or a failed pass left behind). A follow-up whose planning failed (presence down, a row
 * that does not read) is released until a backoff (1 s doubling to 10 min), so it neither holds
 * up the others nor waits out its lease; after `maxClaims` claims it is dropped, logged as an
 * error and counted. Planning has a time limit, so one hung presence call cannot stall a pass
 * or `stop()`.
 */
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { FollowUp, FollowUpStore } from '../store/follow-up-store.js';
import type { NewPushDelivery } from '../store/push-store.js';
import type { NewWebhook } from '../store/webhook-store.js';

/** What a follow-up turns into; both may reject (presence down): the follow-up waits. */
export interface FollowUpPlanner {
  pushes(followUp: FollowUp): Promise<NewPushDelivery[]>;
  webhooks(followUp: FollowUp): Promise<NewWebhook[]>;
  /** Told once a completion queued them (wake the dispatchers, count). */
  queued(pushes: number, webhooks: readonly NewWebhook[]): void;
}

export interface FollowUpRelayOptions {
  store: () => FollowUpStore;
  planner: FollowUpPlanner;
  logger: Logger;
  /** The clock of leases: wall time, the same on every node. */
  now?: () => number;
  /** Between passes when nothing kicks (default 5000). */
  pollMs?: number;
  /** How long a claim holds a follow-up (default 30 s). */
  leaseMs?: number;
  /** How long planning one follow-up may take before it counts as failed (default 10 s). */
  planTimeoutMs?: number;
  /** The first backoff after a failure, doubling per claim up to 10 min (default 1 s). */
  retryBaseMs?: number;
  /** Claims after which a follow-up that keeps failing is dropped (default 20, about 2 h). */
  maxClaims?: number;
  /** Where `hubcast_notification_follow_ups_dropped_total` is counted. */
  registry?: Registry;
}

const BATCH = 100;
/** Follow-ups planned at once within a pass. */
const CONCURRENCY = 8;
const RETRY_MAX_MS = 10 * 60_000;
/** Failures are logged at most this often, with how many there were since. */
const WARN_EVERY_MS = 60_000;

/** The backoff after the `claims`-th claim of a follow-up failed: base · 2^(claims-1), capped. */
export function followUpRetryMs(claims: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.min(Math.max(claims - 1, 0), 30), RETRY_MAX_MS);
}

export class FollowUpRelay {
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private failing = false;
  /** Failures since the last warning, and when that was. */
  private unwarned = 0;
  private warnedAtMs = -Infinity;
  private readonly dropped: Counter | undefined;

  constructor(private readonly options: FollowUpRelayOptions) {
    this.dropped =
      options.registry === undefined
        ? undefined
        : new Counter({
            name: 'hubcast_notification_follow_ups_dropped_total',
            help: 'Notification follow-ups (Web Push, webhooks) given up after failing too often',
            registers: [options.registry],
          });
  }

  start(): void {
    this.started = true;
    void this.flush();
  }

  /** Stops the timer and waits for the pass under way; what is left waits for a claim. */
  async stop(): Promise<void> {
    this.started = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.queued;
    await this.running;
  }

  /**
   * Resolves after a pass that started after the call, so a notify's follow-up is done (or
   * left for later, when the store or presence failed) once it resolves. Never rejects.
   */
  flush(): Promise<void> {
    if (!this.started) return Promise.resolve();
    if (this.running === undefined) {
      clearTimeout(this.timer);
      this.running = this.pass().finally(() => {
        this.running = undefined;
        this.schedule();
      });
      return this.running;
    }
    // The pass under way may have claimed before the caller's commit: one more after it.
    this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.flush();
    });
    return this.queued;
  }

  private schedule(): void {
    if (!this.started || this.queued !== undefined) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), this.options.pollMs ?? 5000);
    this.timer.unref();
  }

  private async pass(): Promise<void> {
    const now = this.options.now ?? Date.now;
    let failed = false;
    try {
      for (;;) {
        const batch = await this.options
          .store()
          .claim(now(), BATCH, this.options.leaseMs ?? 30_000);
        for (let i = 0; i < batch.length; i += CONCURRENCY) {
          const results = await Promise.all(
            batch.slice(i, i + CONCURRENCY).map((f) => this.complete(f)),
          );
          if (results.includes(false)) failed = true;
        }
        // A failure is released until its backoff, so the next batch holds other follow-ups.
        if (batch.length < BATCH || !this.started) break;
      }
    } catch (err) {
      failed = true;
      this.warn({ err }, 'notification follow-ups wait: store');
    }
    if (this.failing && !failed) this.options.logger.info('notification follow-ups flowing again');
    this.failing = failed;
  }

  /** Answers false when it failed: the follow-up is released until its backoff, or dropped. */
  private async complete(f: FollowUp): Promise<boolean> {
    const { planner } = this.options;
    try {
      if (f.unreadable !== undefined) throw new Error(f.unreadable);
      const [pushes, webhooks] = await this.timed(
        Promise.all([planner.pushes(f), planner.webhooks(f)]),
      );
      const result = await this.options.store().complete(f.id, f.claims, { pushes, webhooks });
      if (result.done) planner.queued(result.pushes, webhooks);
      return true;
    } catch (err) {
      // Best effort: when the store is what failed, the lease runs out instead.
      await this.giveUpOrRetry(f, err).catch(() => undefined);
      return false;
    }
  }

  private async giveUpOrRetry(f: FollowUp, err: unknown): Promise<void> {
    const store = this.options.store();
    if (f.claims >= (this.options.maxClaims ?? 20)) {
      // Completing with no work forgets it, fenced like any completion.
      const { done } = await store.complete(f.id, f.claims, { pushes: [], webhooks: [] });
      if (!done) return;
      this.dropped?.inc();
      this.options.logger.error(
        { err, org: f.org, followUp: f.id, claims: f.claims },
        'notification follow-up (web push, webhook) dropped: it failed on every claim',
      );
      return;
    }
    this.warn(
      { err, org: f.org },
      'notification follow-up (web push, webhook) waits: presence or store failed',
    );
    const now = (this.options.now ?? Date.now)();
    await store.release(
      f.id,
      f.claims,
      now + followUpRetryMs(f.claims, this.options.retryBaseMs ?? 1000),
    );
  }

  /** Planning within `planTimeoutMs`: a hung lookup fails this follow-up, not the loop. */
  private timed<T>(work: Promise<T>): Promise<T> {
    const ms = this.options.planTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`planning took over ${ms} ms`)), ms);
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  /** A warning at most every `WARN_EVERY_MS`, saying how many failures it stands for. */
  private warn(fields: Record<string, unknown>, message: string): void {
    this.unwarned++;
    const nowMs = Date.now();
    if (nowMs - this.warnedAtMs < WARN_EVERY_MS) return;
    this.options.logger.warn({ ...fields, failures: this.unwarned }, message);
    this.unwarned = 0;
    this.warnedAtMs = nowMs;
  }
}
