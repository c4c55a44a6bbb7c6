/**
 * `useNotifications()`: the session user's live unread count and the notifications that
 * arrive while mounted, with the inbox calls. The connection's inbox is started while any
 * component uses it (one lease per connection) and stopped after the last one unmounts.
 */
import type {
  HubcastConnection,
  HubcastError,
  Notification,
  Notifications,
  View,
} from '@hubcast/client';
import { Lease } from './lease.js';
import { useHubcast } from './context.js';
import { useStartedView } from './use-view.js';

export interface NotificationsState {
  /** `undefined` until the first count arrives. */
  unread: number | undefined;
  /** Notifications that arrived since mount, newest first (at most 50). */
  received: readonly Notification[];
  error: HubcastError | undefined;
  /** The inbox calls: `list`, `markRead`, `markAllRead`. */
  inbox: Notifications;
}

const RECEIVED_MAX = 50;
const inboxLeases = new WeakMap<Notifications, Lease>();

/** One component's view of the inbox: follows its events while started. */
class InboxView implements View<NotificationsState> {
  private readonly listeners = new Set<() => void>();
  private snapshot: NotificationsState;
  private offs: (() => void)[] = [];

  constructor(private readonly inbox: Notifications) {
    this.snapshot = { unread: inbox.unread, received: [], error: undefined, inbox };
  }

  start(): this {
    if (this.offs.length > 0) return this;
    const inbox = this.inbox;
    let lease = inboxLeases.get(inbox);
    if (lease === undefined) {
      lease = new Lease(inbox);
      inboxLeases.set(inbox, lease);
    }
    this.offs = [
      inbox.on('unread', (ctx) => this.update({ unread: ctx.unread })),
      inbox.on('readAll', () => this.update({ unread: inbox.unread })),
      inbox.on('created', (ctx) =>
        this.update({
          received: [ctx.notification, ...this.snapshot.received].slice(0, RECEIVED_MAX),
        }),
      ),
      inbox.on('error', (ctx) => this.update({ error: ctx.error })),
      lease.acquire(),
    ];
    this.update({ unread: inbox.unread });
    return this;
  }

  stop(): void {
    for (const off of this.offs) off();
    this.offs = [];
  }

  subscribe(listener: () => void): () => void {
    const entry = (): void => listener();
    this.listeners.add(entry);
    return () => void this.listeners.delete(entry);
  }

  getSnapshot(): NotificationsState {
    return this.snapshot;
  }

  private update(change: Partial<NotificationsState>): void {
    this.snapshot = { ...this.snapshot, ...change };
    for (const listener of [...this.listeners]) listener();
  }
}

/** The inbox of the nearest provider's connection, followed while mounted. */
export function useNotifications(): NotificationsState {
  const connection: HubcastConnection = useHubcast();
  return useStartedView(() => new InboxView(connection.notifications), [connection]).snapshot;
}
