/** The webhook queue in memory, for `--store memory`: the same contract, forgotten on exit. */
import { StoreUnavailableError } from './store.js';
import type {
  AttemptFailure,
  ClaimOptions,
  NewWebhook,
  WebhookCounts,
  WebhookDelivery,
  WebhookStore,
} from './webhook-store.js';

interface Row extends WebhookDelivery {
  leaseUntilMs: number;
}

export class MemoryWebhooks implements WebhookStore {
  /** By id; a Map keeps insertion order, which is the order of `claim` among equal times. */
  private readonly rows = new Map<string, Row>();

  constructor(
    private readonly now: () => number,
    private readonly isClosed: () => boolean,
  ) {}

  private run<T>(work: () => T): Promise<T> {
    if (this.isClosed()) return Promise.reject(new StoreUnavailableError('the store is closed'));
    return Promise.resolve(work());
  }

  enqueue(items: readonly NewWebhook[]): Promise<void> {
    return this.run(() => this.enqueueSync(items));
  }

  /** `enqueue` within another unit of work (a follow-up's completion). */
  enqueueSync(items: readonly NewWebhook[]): void {
    const nowMs = this.now();
    for (const item of items) {
      if (this.rows.has(item.id)) continue;
      this.rows.set(item.id, {
        ...item,
        state: 'pending',
        attempts: 0,
        createdAtMs: nowMs,
        nextAttemptAtMs: nowMs,
        leaseUntilMs: 0,
      });
    }
  }

  claim(options: ClaimOptions): Promise<WebhookDelivery[]> {
    return this.run(() => {
      const nowMs = this.now();
      const due = [...this.rows.values()]
        .filter(
          (r) => r.state === 'pending' && r.nextAttemptAtMs <= nowMs && r.leaseUntilMs <= nowMs,
        )
        .sort((a, b) => a.nextAttemptAtMs - b.nextAttemptAtMs);
      const taken = new Map(options.busy);
      const out: WebhookDelivery[] = [];
      for (const row of due) {
        if (out.length >= options.limit) break;
        const held = taken.get(row.org) ?? 0;
        if (held >= options.perOrgMax) continue;
        taken.set(row.org, held + 1);
        row.attempts++;
        row.leaseUntilMs = nowMs + options.leaseMs;
        out.push(publicRow(row));
      }
      return out;
    });
  }

  succeeded(id: string, attempts: number): Promise<boolean> {
    return this.run(() => {
      const row = this.rows.get(id);
      if (row?.state !== 'pending' || row.attempts !== attempts) return false;
      this.rows.delete(id);
      return true;
    });
  }

  failed(id: string, attempts: number, failure: AttemptFailure): Promise<boolean> {
    return this.run(() => {
      const row = this.rows.get(id);
      if (row?.state !== 'pending' || row.attempts !== attempts) return false;
      row.leaseUntilMs = 0;
      row.lastError = failure.error;
      if (failure.status === undefined) delete row.lastStatus;
      else row.lastStatus = failure.status;
      if (failure.retryInMs === undefined) row.state = 'dead';
      else row.nextAttemptAtMs = this.now() + failure.retryInMs;
      return true;
    });
  }

  dead(org: string, options: { limit: number; after?: string }): Promise<WebhookDelivery[]> {
    return this.run(() =>
      [...this.rows.values()]
        .filter((r) => r.org === org && r.state === 'dead')
        .filter((r) => options.after === undefined || r.id > options.after)
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .slice(0, options.limit)
        .map(publicRow),
    );
  }

  retry(org: string, ids: readonly string[]): Promise<string[]> {
    return this.run(() => {
      const nowMs = this.now();
      const done: string[] = [];
      for (const id of new Set(ids)) {
        const row = this.rows.get(id);
        if (row?.org !== org || row.state !== 'dead') continue;
        row.state = 'pending';
        row.attempts = 0;
        row.nextAttemptAtMs = nowMs;
        done.push(id);
      }
      return done;
    });
  }

  counts(): Promise<WebhookCounts> {
    return this.run(() => {
      let pending = 0;
      let dead = 0;
      for (const row of this.rows.values())
        if (row.state === 'dead') dead++;
        else pending++;
      return { pending, dead };
    });
  }
}

function publicRow(row: Row): WebhookDelivery {
  const { leaseUntilMs: _lease, ...rest } = row;
  return { ...rest };
}
