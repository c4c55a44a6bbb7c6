/**
 * Drains the store's push deliveries (push-store.ts) through a provider: claims what is due
 * (leased, so nodes sharing a PostgreSQL store never send one twice), sends it to each of the
 * user's subscriptions, forgets subscriptions the push service calls gone, and queues a retry
 * per endpoint that failed for now. A delivery whose user has a live connection when it comes
 * due (back online during quiet hours, or since it was queued) is dropped: the app showed the
 * notification. Runs when kicked (a delivery was queued) and every
 * `pollMs` (quiet hours that ended, retries, leases of a node that died).
 */
import type { Logger } from 'pino';
import type { PushDelivery, PushRetry, PushSubscriptionStore } from '../../store/push-store.js';
import type { PushOutcome, PushProvider } from './provider.js';
import type { IsOnline } from './push-service.js';
import { PUSH_MAX_ATTEMPTS, pushRetryDelayMs } from './retry-delay.js';

export interface PushDispatcherOptions {
  store: () => PushSubscriptionStore;
  provider: PushProvider;
  now: () => number;
  /** Whether the user has a live connection now: a due push is then dropped. */
  isOnline: IsOnline;
  logger: Logger;
  /** Between passes when nothing kicks (default 5000). */
  pollMs?: number;
  /** Told each send's outcome, for metrics. */
  onOutcome?: (outcome: PushSendOutcome) => void;
}

/** What became of a send, for `hubcast_web_push_sends_total`: `skipped_online` is per delivery. */
export type PushSendOutcome = PushOutcome['type'] | 'skipped_online';

/** Deliveries one claim takes; a full batch is followed by another pass at once. */
const CLAIM_BATCH = 100;
/** Longer than a send can take (10 s per request, a few requests per delivery). */
const LEASE_MS = 120_000;
/** Deliveries sent at once within a pass. */
const CONCURRENCY = 8;
/** Push services keep a message this long for a device that is off. */
export const PUSH_TTL_SECONDS = 86_400;

export class PushDispatcher {
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private started = false;

  constructor(private readonly options: PushDispatcherOptions) {}

  start(): void {
    this.started = true;
    this.kick();
  }

  /** Stops the timer and waits for the pass under way. */
  async stop(): Promise<void> {
    this.started = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Runs a pass soon (one more after the current one, if one is running). */
  kick(): void {
    if (!this.started) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.runOnce()
      .then(
        () => undefined,
        (err: unknown) => this.options.logger.warn({ err }, 'web push pass failed; retrying'),
      )
      .finally(() => {
        this.running = undefined;
        if (!this.started) return;
        if (this.again) {
          this.again = false;
          this.kick();
          return;
        }
        this.timer = setTimeout(() => this.kick(), this.options.pollMs ?? 5000);
        this.timer.unref();
      });
  }

  /** One pass: everything due now; answers how many deliveries it finished. */
  async runOnce(): Promise<number> {
    let finished = 0;
    for (;;) {
      const batch = await this.options.store().claimDue(this.options.now(), CLAIM_BATCH, LEASE_MS);
      for (let i = 0; i < batch.length; i += CONCURRENCY)
        await Promise.all(batch.slice(i, i + CONCURRENCY).map((d) => this.deliver(d)));
      finished += batch.length;
      if (batch.length < CLAIM_BATCH) return finished;
    }
  }

  private async deliver(d: PushDelivery): Promise<void> {
    const store = this.options.store();
    if (await this.onlineNow(d)) {
      this.options.onOutcome?.('skipped_online');
      await store.finish(d.id, []);
      return;
    }
    const subscriptions = await store.list(d.org, d.user);
    const targets =
      d.endpoint === undefined
        ? subscriptions
        : subscriptions.filter((s) => s.endpoint === d.endpoint);
    const retries: PushRetry[] = [];
    await Promise.all(
      targets.map(async (target) => {
        const outcome = await this.options.provider.send(target, {
          payload: d.payload,
          ttlSeconds: PUSH_TTL_SECONDS,
          urgency: 'normal',
        });
        this.options.onOutcome?.(outcome.type);
        const where = { org: d.org, user: d.user, notification: d.notificationId };
        switch (outcome.type) {
          case 'delivered':
            return;
          case 'gone':
            await store.removeEndpoint(d.org, target.endpoint);
            this.options.logger.info(
              { ...where, reason: outcome.reason },
              'push subscription gone',
            );
            return;
          case 'retry': {
            const attempts = d.attempts + 1;
            if (attempts >= PUSH_MAX_ATTEMPTS) {
              this.options.logger.warn(
                { ...where, attempts, reason: outcome.reason },
                'web push dropped after its last attempt',
              );
              return;
            }
            retries.push({
              endpoint: target.endpoint,
              attempts,
              notBeforeMs: this.options.now() + pushRetryDelayMs(attempts, outcome.retryAfterMs),
            });
            return;
          }
          case 'rejected':
            this.options.logger.warn({ ...where, reason: outcome.reason }, 'web push refused');
            return;
          default: {
            const never: never = outcome;
            return never;
          }
        }
      }),
    );
    await store.finish(d.id, retries);
  }

  /** Presence failing is no reason to withhold a push that is due: it is sent. */
  private async onlineNow(d: PushDelivery): Promise<boolean> {
    try {
      return await this.options.isOnline(d.org, d.user);
    } catch (err) {
      this.options.logger.warn(
        { err, org: d.org, notification: d.notificationId },
        'web push sent without the online check: presence failed',
      );
      return false;
    }
  }
}
