/** Notification follow-ups in memory (follow-up-store.ts), for tests and `--store memory`. */
import type { JsonValue, Notification } from '@hubcast/protocol';
import {
  unreadableReason,
  type FollowUp,
  type FollowUpResult,
  type FollowUpStore,
  type FollowUpWork,
} from './follow-up-store.js';
import type { MemoryPushStore } from './push-memory.js';
import { StoreUnavailableError } from './store.js';
import type { MemoryWebhooks } from './webhooks-memory.js';

interface Row {
  org: string;
  ids: string[];
  data: JsonValue;
  claims: number;
  leaseUntilMs: number;
}

/** The notifications of `ids` as stored now, with their owners (the memory inbox answers). */
export type ReadNotifications = (
  org: string,
  ids: readonly string[],
) => { users: string[]; notifications: Notification[] };

export class MemoryFollowUps implements FollowUpStore {
  /** By id; a Map keeps insertion (id) order. */
  private readonly rows = new Map<number, Row>();
  private lastId = 0;

  constructor(
    private readonly isClosed: () => boolean,
    private readonly read: ReadNotifications,
    private readonly push: MemoryPushStore,
    private readonly webhooks: MemoryWebhooks,
  ) {}

  private run<T>(work: () => T): Promise<T> {
    if (this.isClosed()) return Promise.reject(new StoreUnavailableError('the store is closed'));
    return Promise.resolve(work());
  }

  /** Records one within the create that made the notifications. */
  add(org: string, ids: readonly string[], data: JsonValue): void {
    this.rows.set(++this.lastId, {
      org,
      ids: [...ids],
      data: structuredClone(data),
      claims: 0,
      leaseUntilMs: 0,
    });
  }

  claim(nowMs: number, limit: number, leaseMs: number): Promise<FollowUp[]> {
    return this.run(() => {
      const out: FollowUp[] = [];
      for (const [id, row] of this.rows) {
        if (out.length >= limit) break;
        if (row.leaseUntilMs > nowMs) continue;
        row.leaseUntilMs = nowMs + leaseMs;
        row.claims++;
        const head = { id: String(id), org: row.org, claims: row.claims };
        try {
          const { users, notifications } = this.read(row.org, row.ids);
          out.push({ ...head, users, notifications, data: structuredClone(row.data) });
        } catch (err) {
          out.push({
            ...head,
            users: [],
            notifications: [],
            data: null,
            unreadable: unreadableReason(err),
          });
        }
      }
      return out;
    });
  }

  release(id: string, claims: number, retryAtMs: number): Promise<void> {
    return this.run(() => {
      const row = this.rows.get(Number(id));
      if (row !== undefined && row.claims === claims) row.leaseUntilMs = retryAtMs;
    });
  }

  complete(id: string, claims: number, work: FollowUpWork): Promise<FollowUpResult> {
    return this.run(() => {
      const row = this.rows.get(Number(id));
      if (row === undefined || row.claims !== claims) return { done: false, pushes: 0 };
      this.rows.delete(Number(id));
      this.webhooks.enqueueSync(work.webhooks);
      return { done: true, pushes: this.push.enqueueSync(work.pushes) };
    });
  }

  count(): Promise<number> {
    return this.run(() => this.rows.size);
  }
}
