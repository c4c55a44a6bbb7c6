/**
 * Moves the store's outbox (see `PendingPush`) into the log: each push is appended to its
 * channel (`user.<id>.notifications`, `chat.<room>`, `user.<id>.chat`) with the key
 * `push:<id>`, then marked done. A crash between the append and "done" appends it again on the
 * next drain, and the key makes that a duplicate, so each push reaches a device once (while its
 * key is retained in the log).
 *
 * Passes run one at a time. A caller of `flush()` gets a pass that starts after its call, so
 * the push of a change it just committed is in the log when `flush()` resolves, unless the log
 * or the store is down: then a retry is scheduled and `flush()` resolves anyway, because the
 * change itself is committed and its push will follow.
 */
import type { Logger } from 'pino';
import type { AppendInput, AppendResult } from '../log/log.js';
import type { NotificationStore, PendingPush } from '../store/store.js';

export type Publish = (org: string, items: readonly AppendInput[]) => Promise<AppendResult[]>;

const BATCH = 500;
const RETRY_MS = 1000;

export class PushRelay {
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private failing = false;
  private stopped = false;

  constructor(
    private readonly store: () => NotificationStore,
    private readonly publish: Publish,
    private readonly logger: Logger,
  ) {}

  flush(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running === undefined) {
      this.running = this.drain().finally(() => (this.running = undefined));
      return this.running;
    }
    // The pass under way may have read the outbox before the caller's commit: one more after it.
    this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.flush();
    });
    return this.queued;
  }

  /** Clears the retry timer; what is left in the outbox waits for the next start. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.retry = undefined;
  }

  /** Lets a stopped relay run again (a node restarted in the same process). */
  start(): void {
    this.stopped = false;
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        const taken = await this.store().drainPushes(BATCH, async (batch) => {
          for (const [org, pushes] of byOrg(batch))
            await this.publish(
              org,
              pushes.map((p) => ({
                channel: p.channel,
                data: p.data,
                key: `push:${p.id}`,
              })),
            );
        });
        if (taken < BATCH) break;
      }
      if (this.failing) this.logger.info('service events (inbox, chat) flowing into the log again');
      this.failing = false;
    } catch (err) {
      if (!this.failing)
        this.logger.warn({ err }, 'service events (inbox, chat) wait for the log or store');
      this.failing = true;
      if (!this.stopped && this.retry === undefined) {
        this.retry = setTimeout(() => {
          this.retry = undefined;
          void this.flush();
        }, RETRY_MS);
        this.retry.unref();
      }
    }
  }
}

/** Groups keep the outbox order within each org. */
function byOrg(pushes: readonly PendingPush[]): Map<string, PendingPush[]> {
  const groups = new Map<string, PendingPush[]>();
  for (const p of pushes) {
    let list = groups.get(p.org);
    if (list === undefined) groups.set(p.org, (list = []));
    list.push(p);
  }
  return groups;
}
