/**
 * The store in memory: for tests and `--store memory` playgrounds. It passes the same contract
 * as SQLite and PostgreSQL, and forgets everything when the process ends.
 */
import type { JsonValue } from '@hubcast/protocol';
import {
  checkCreate,
  checkInbox,
  checkList,
  distinctIds,
  inboxChannel,
  parseNotificationId,
  toNotification,
  dataText,
  pushText,
  type NotificationRow,
} from './notification-rows.js';
import { MemoryChatStore } from './chat-memory.js';
import { MemoryOutbox } from './memory-outbox.js';
import type { ChatStore } from './chat-store.js';
import {
  StoreUnavailableError,
  type CreateInput,
  type CreateResult,
  type ListOptions,
  type ListResult,
  drainOwnPushes,
  type Notification,
  type NotificationStore,
  type PendingPush,
  type Store,
  type StoreOptions,
} from './store.js';
import { MemoryPushStore } from './push-memory.js';
import type { PushSubscriptionStore } from './push-store.js';
import type { WebhookStore } from './webhook-store.js';
import { MemoryWebhooks } from './webhooks-memory.js';
import type { FollowUpStore } from './follow-up-store.js';
import { MemoryFollowUps } from './follow-ups-memory.js';

interface Row extends NotificationRow {
  user: string;
}

interface OrgInbox {
  lastId: number;
  /** Every notification of the org by id. */
  byId: Map<number, Row>;
  /** Each user's ids, oldest first (ids only grow, so appends keep the order). */
  byUser: Map<string, number[]>;
  keys: Map<string, string[]>;
}

export class MemoryStore implements Store {
  readonly notifications: NotificationStore;
  readonly chat: ChatStore;
  readonly push: PushSubscriptionStore;
  readonly webhooks: WebhookStore;
  readonly followUps: FollowUpStore;
  private closed = false;

  constructor(options: StoreOptions = {}) {
    const outbox = new MemoryOutbox();
    const now = options.now ?? Date.now;
    const isClosed = (): boolean => this.closed;
    const push = new MemoryPushStore(now, isClosed);
    const webhooks = new MemoryWebhooks(now, isClosed);
    const followUps: MemoryFollowUps = new MemoryFollowUps(
      isClosed,
      (org, ids) => notifications.read(org, ids),
      push,
      webhooks,
    );
    const notifications: MemoryNotifications = new MemoryNotifications(
      now,
      isClosed,
      outbox,
      followUps,
    );
    this.notifications = notifications;
    this.chat = new MemoryChatStore(now, isClosed, outbox);
    this.push = push;
    this.webhooks = webhooks;
    this.followUps = followUps;
  }

  check(): Promise<void> {
    return this.closed
      ? Promise.reject(new StoreUnavailableError('the store is closed'))
      : Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

class MemoryNotifications implements NotificationStore {
  private readonly orgs = new Map<string, OrgInbox>();

  private addPush(org: string, user: string, text: string): void {
    this.outbox.add(org, user, inboxChannel(user), JSON.parse(text) as JsonValue);
  }

  constructor(
    private readonly now: () => number,
    private readonly isClosed: () => boolean,
    private readonly outbox: MemoryOutbox,
    private readonly followUps: MemoryFollowUps,
  ) {}

  private run<T>(work: () => T): Promise<T> {
    if (this.isClosed()) return Promise.reject(new StoreUnavailableError('the store is closed'));
    try {
      return Promise.resolve(work());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private inbox(org: string): OrgInbox {
    let inbox = this.orgs.get(org);
    if (inbox === undefined) {
      inbox = { lastId: 0, byId: new Map(), byUser: new Map(), keys: new Map() };
      this.orgs.set(org, inbox);
    }
    return inbox;
  }

  create(org: string, input: CreateInput): Promise<CreateResult> {
    return this.run(() => {
      checkCreate(org, input);
      const inbox = this.inbox(org);
      if (input.key !== undefined) {
        const prior = inbox.keys.get(input.key);
        if (prior !== undefined) {
          const rows = prior.flatMap((id) => inbox.byId.get(Number(id)) ?? []);
          return {
            ids: [...prior],
            users: rows.map((row) => row.user),
            created: false,
            notifications: rows.map(toNotification),
          };
        }
      }
      const nowMs = this.now();
      const { kind, title } = input.notification;
      const ids: string[] = [];
      const notifications = input.users.map((user) => {
        const id = ++inbox.lastId;
        const row: Row = {
          id: String(id),
          user,
          kind,
          title,
          body: input.notification.body ?? null,
          data: dataText(input.notification.data),
          createdAtMs: nowMs,
          readAtMs: null,
        };
        inbox.byId.set(id, row);
        let mine = inbox.byUser.get(user);
        if (mine === undefined) inbox.byUser.set(user, (mine = []));
        mine.push(id);
        ids.push(row.id);
        const notification = toNotification(row);
        this.addPush(org, user, pushText.created(notification));
        return notification;
      });
      if (input.key !== undefined) inbox.keys.set(input.key, [...ids]);
      if (input.followUp !== undefined && ids.length > 0)
        this.followUps.add(org, ids, input.followUp);
      return { ids, users: [...input.users], created: true, notifications };
    });
  }

  /** The notifications of `ids` as stored now, with their owners (follow-ups read them). */
  read(org: string, ids: readonly string[]): { users: string[]; notifications: Notification[] } {
    const inbox = this.inbox(org);
    const rows = ids.flatMap((id) => inbox.byId.get(Number(id)) ?? []);
    return { users: rows.map((r) => r.user), notifications: rows.map(toNotification) };
  }

  list(org: string, user: string, options: ListOptions): Promise<ListResult> {
    return this.run(() => {
      const { limit, beforeId, unread } = checkList(org, user, options);
      const inbox = this.inbox(org);
      const mine = inbox.byUser.get(user) ?? [];
      const items = [];
      let more = false;
      for (let i = mine.length - 1; i >= 0; i--) {
        const id = mine[i] as number;
        if (id >= beforeId) continue;
        const row = inbox.byId.get(id) as Row;
        if (unread && row.readAtMs !== null) continue;
        if (items.length === limit) {
          more = true;
          break;
        }
        items.push(toNotification(row));
      }
      return { items, more };
    });
  }

  markRead(org: string, user: string, ids: readonly string[]): Promise<string[]> {
    return this.run(() => {
      checkInbox(org, user);
      const inbox = this.inbox(org);
      const nowMs = this.now();
      const updated = distinctIds(ids).filter((id) => {
        const row = inbox.byId.get(parseNotificationId(id) as number);
        if (row === undefined || row.user !== user || row.readAtMs !== null) return false;
        row.readAtMs = nowMs;
        return true;
      });
      if (updated.length > 0) this.addPush(org, user, pushText.read(updated));
      return updated;
    });
  }

  markAllRead(org: string, user: string): Promise<number> {
    return this.run(() => {
      checkInbox(org, user);
      const inbox = this.inbox(org);
      const nowMs = this.now();
      let updated = 0;
      for (const id of inbox.byUser.get(user) ?? []) {
        const row = inbox.byId.get(id) as Row;
        if (row.readAtMs === null) {
          row.readAtMs = nowMs;
          updated++;
        }
      }
      if (updated > 0) this.addPush(org, user, pushText.readAll());
      return updated;
    });
  }

  unreadCount(org: string, user: string): Promise<number> {
    return this.run(() => {
      checkInbox(org, user);
      const inbox = this.inbox(org);
      let n = 0;
      for (const id of inbox.byUser.get(user) ?? [])
        if ((inbox.byId.get(id) as Row).readAtMs === null) n++;
      return n;
    });
  }

  pendingPushes(limit: number): Promise<PendingPush[]> {
    return this.run(() => this.outbox.pending(limit));
  }

  pushesDone(ids: readonly string[]): Promise<void> {
    return this.run(() => this.outbox.done(ids));
  }

  drainPushes(
    limit: number,
    deliver: (batch: readonly PendingPush[]) => Promise<void>,
  ): Promise<number> {
    return drainOwnPushes(this, limit, deliver);
  }
}
