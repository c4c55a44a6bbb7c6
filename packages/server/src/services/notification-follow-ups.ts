/**
 * Carries out the follow-ups a notify records with its notifications (store/follow-up-store.ts):
 * claims them with a lease, asks presence who is still offline, and completes each by queueing
 * its Web Push deliveries and `notification.undelivered` webhooks in one transaction that also
 * forgets it. A crash before the completion leaves the follow-up to the next claim after its
 * lease (this node restarted, or another node of the cluster); the completion's fence keeps a
 * claimer that lost its lease from queueing anything, so each follow-up's work is queued once.
 *
 * Passes run one at a time, when kicked (`flush` after a notify) and every `pollMs` (follow-ups a
 * crash or a failed pass left behind). A follow-up whose planning failed (presence down) is
 * released at once, so the next pass retries it rather than waiting out its lease.
 */
import type { Logger } from 'pino';
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
}

const BATCH = 100;
/** Follow-ups planned at once within a pass. */
const CONCURRENCY = 8;

export class FollowUpRelay {
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private failing = false;

  constructor(private readonly options: FollowUpRelayOptions) {}

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
        // A failure released its follow-ups: they wait for the next pass, not this loop.
        if (batch.length < BATCH || failed || !this.started) break;
      }
    } catch (err) {
      failed = true;
      if (!this.failing) this.options.logger.warn({ err }, 'notification follow-ups wait: store');
    }
    if (this.failing && !failed) this.options.logger.info('notification follow-ups flowing again');
    this.failing = failed;
  }

  /** Answers false when it failed: the follow-up is released for the next pass. */
  private async complete(f: FollowUp): Promise<boolean> {
    const { planner } = this.options;
    try {
      const [pushes, webhooks] = await Promise.all([planner.pushes(f), planner.webhooks(f)]);
      const result = await this.options.store().complete(f.id, f.claims, { pushes, webhooks });
      if (result.done) planner.queued(result.pushes, webhooks);
      return true;
    } catch (err) {
      if (!this.failing)
        this.options.logger.warn(
          { err, org: f.org },
          'notification follow-up (web push, webhook) waits: presence or store failed',
        );
      // Best effort: when the store is what failed, the lease runs out instead.
      await this.options
        .store()
        .release(f.id, f.claims)
        .catch(() => undefined);
      return false;
    }
  }
}
