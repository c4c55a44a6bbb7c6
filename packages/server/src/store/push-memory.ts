/** Web Push subscriptions and deliveries in memory, for tests and `--store memory`. */
import { StoreUnavailableError } from './store.js';
import type {
  NewPushDelivery,
  PushDelivery,
  PushRetry,
  PushSubscriptionInput,
  PushSubscriptionRecord,
  PushSubscriptionStore,
  RegisterResult,
} from './push-store.js';

interface Leased extends PushDelivery {
  leaseUntilMs: number;
}

export class MemoryPushStore implements PushSubscriptionStore {
  /** `org\0user` → subscriptions, oldest first. */
  private readonly subscriptions = new Map<string, PushSubscriptionRecord[]>();
  /** By id; a Map keeps insertion (id) order. */
  private readonly deliveries = new Map<number, Leased>();
  private lastId = 0;

  constructor(
    private readonly now: () => number,
    private readonly isClosed: () => boolean,
  ) {}

  private run<T>(work: () => T): Promise<T> {
    if (this.isClosed()) return Promise.reject(new StoreUnavailableError('the store is closed'));
    try {
      return Promise.resolve(work());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  register(
    org: string,
    user: string,
    input: PushSubscriptionInput,
    maxPerUser: number,
  ): Promise<RegisterResult> {
    return this.run(() => {
      const key = userKey(org, user);
      const mine = (this.subscriptions.get(key) ?? []).filter((s) => s.endpoint !== input.endpoint);
      mine.push({ ...copyInput(input), createdAtMs: this.now() });
      const replaced = Math.max(0, mine.length - maxPerUser);
      mine.splice(0, replaced);
      this.subscriptions.set(key, mine);
      return { count: mine.length, replaced };
    });
  }

  unregister(org: string, user: string, endpoint: string): Promise<boolean> {
    return this.run(() => {
      const key = userKey(org, user);
      const mine = this.subscriptions.get(key) ?? [];
      const kept = mine.filter((s) => s.endpoint !== endpoint);
      if (kept.length === 0) this.subscriptions.delete(key);
      else this.subscriptions.set(key, kept);
      return kept.length < mine.length;
    });
  }

  list(org: string, user: string): Promise<PushSubscriptionRecord[]> {
    return this.run(() =>
      (this.subscriptions.get(userKey(org, user)) ?? []).map((s) => ({ ...s })),
    );
  }

  removeEndpoint(org: string, endpoint: string): Promise<number> {
    return this.run(() => {
      let removed = 0;
      for (const [key, mine] of this.subscriptions) {
        if (!key.startsWith(`${org}\0`)) continue;
        const kept = mine.filter((s) => s.endpoint !== endpoint);
        removed += mine.length - kept.length;
        if (kept.length === 0) this.subscriptions.delete(key);
        else this.subscriptions.set(key, kept);
      }
      return removed;
    });
  }

  enqueue(deliveries: readonly NewPushDelivery[]): Promise<number> {
    return this.run(() => this.enqueueSync(deliveries));
  }

  /** `enqueue` within another unit of work (a follow-up's completion). */
  enqueueSync(deliveries: readonly NewPushDelivery[]): number {
    let queued = 0;
    for (const d of deliveries) {
      if (!this.subscriptions.has(userKey(d.org, d.user))) continue;
      const id = ++this.lastId;
      this.deliveries.set(id, { ...d, id: String(id), attempts: 0, leaseUntilMs: 0 });
      queued++;
    }
    return queued;
  }

  claimDue(nowMs: number, limit: number, leaseMs: number): Promise<PushDelivery[]> {
    return this.run(() => {
      const due = [...this.deliveries.values()]
        .filter((d) => d.notBeforeMs <= nowMs && d.leaseUntilMs <= nowMs)
        .sort(byDue)
        .slice(0, limit);
      for (const d of due) d.leaseUntilMs = nowMs + leaseMs;
      return due.map(withoutLease);
    });
  }

  finish(id: string, retries: readonly PushRetry[]): Promise<void> {
    return this.run(() => {
      const d = this.deliveries.get(Number(id));
      if (d === undefined) return;
      this.deliveries.delete(Number(id));
      for (const r of retries) {
        const copy = ++this.lastId;
        this.deliveries.set(copy, {
          ...withoutLease(d),
          id: String(copy),
          endpoint: r.endpoint,
          notBeforeMs: r.notBeforeMs,
          attempts: r.attempts,
          leaseUntilMs: 0,
        });
      }
    });
  }

  pending(org: string): Promise<PushDelivery[]> {
    return this.run(() =>
      [...this.deliveries.values()]
        .filter((d) => d.org === org)
        .sort(byDue)
        .map(withoutLease),
    );
  }
}

const userKey = (org: string, user: string): string => `${org}\0${user}`;

const byDue = (a: PushDelivery, b: PushDelivery): number =>
  a.notBeforeMs - b.notBeforeMs || Number(a.id) - Number(b.id);

function withoutLease(d: Leased): PushDelivery {
  const { leaseUntilMs: _lease, ...rest } = d;
  return { ...rest };
}

function copyInput(input: PushSubscriptionInput): PushSubscriptionInput {
  return {
    endpoint: input.endpoint,
    p256dh: input.p256dh,
    auth: input.auth,
    ...(input.device === undefined ? {} : { device: input.device }),
  };
}
