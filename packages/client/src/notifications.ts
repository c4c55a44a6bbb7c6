/**
 * `client.notifications`: the typed door to the notifications service (docs/protocol.md §10) and
 * a live unread count. Once started it follows the session user's `user.<id>.notifications`
 * channel itself and fetches `notifications.unreadCount` each time that subscription goes
 * live (first subscribe and every reconnect, resumed or not, so any drift heals on reconnect).
 * The count bookkeeping and its race with the fetch live in `UnreadTracker`.
 */
import { ERROR_CODES, HubcastError, type ErrorCode, type JsonValue } from '@hubcast/protocol';
import { TypedEmitter } from './emitter.js';
import type {
  ConnectedContext,
  HubcastEvent,
  NotificationEvents,
  SessionInfo,
  SubscriptionEndedContext,
} from './events.js';
import {
  checkIds,
  listParams,
  notificationsChannel,
  parseMarkReadResult,
  parseNotificationPage,
  parseNotificationPush,
  parseUnreadCount,
  type ListNotificationsOptions,
  type MarkReadResult,
  type NotificationPage,
  type NotificationPush,
} from './notification-shapes.js';
import type { EventHandler, SubscribeOptions, Subscription } from './subscription.js';
import { UnreadTracker, type TrackerOutcome } from './unread-tracker.js';

/** What the helper needs from the client (the client itself). @internal */
export interface NotificationsHost {
  readonly session: Readonly<SessionInfo> | undefined;
  rpc(method: string, params?: JsonValue): Promise<JsonValue>;
  subscribe(pattern: string, handler: EventHandler, options?: SubscribeOptions): Subscription;
  on(event: 'connected', listener: (ctx: ConnectedContext) => void): () => void;
}

/** The session user's notification inbox: typed rpc calls and a live `unread` count. */
export class Notifications extends TypedEmitter<NotificationEvents> {
  private readonly tracker = new UnreadTracker();
  private offConnected: (() => void) | undefined;
  /** The user whose inbox is followed, and the subscription to its channel. */
  private followed: { user: string; sub: Subscription } | undefined;

  /** @internal */
  constructor(private readonly host: NotificationsHost) {
    super((error, event) => this.reportListenerError(error, event));
  }

  /** The live unread count: `undefined` until started and synced, and after `stop()`. */
  get unread(): number | undefined {
    return this.tracker.count;
  }

  /** Whether `start()` was called (and not `stop()`). */
  get isStarted(): boolean {
    return this.offConnected !== undefined;
  }

  /** The caller's notifications, newest first. Does not touch `unread`. */
  async list(options: ListNotificationsOptions = {}): Promise<NotificationPage> {
    const params = listParams(options);
    return parseNotificationPage(await this.host.rpc('notifications.list', params));
  }

  /** Marks notifications read; `unread` follows from the `notification.read` push. */
  async markRead(ids: readonly string[]): Promise<MarkReadResult> {
    const method = 'notifications.markRead';
    const params = { ids: checkIds(ids) };
    return parseMarkReadResult(await this.host.rpc(method, params), method);
  }

  /** Marks the whole inbox read; `unread` follows from the `notification.read_all` push. */
  async markAllRead(): Promise<MarkReadResult> {
    const method = 'notifications.markAllRead';
    return parseMarkReadResult(await this.host.rpc(method, {}), method);
  }

  /** Asks the server for the unread count (a plain call: `unread` is kept by `start()`). */
  async unreadCount(): Promise<number> {
    return parseUnreadCount(await this.host.rpc('notifications.unreadCount', {}));
  }

  /** Keeps `unread` live and emits inbox events; fine while offline. Idempotent. */
  start(): void {
    if (this.offConnected !== undefined) return;
    // A reconnect may bring another user (a new token from getToken): follow theirs.
    this.offConnected = this.host.on('connected', () => this.follow());
    this.follow();
  }

  /** Unsubscribes and forgets the count (`unread` becomes `undefined`). Idempotent. */
  stop(): void {
    if (this.offConnected === undefined) return;
    this.offConnected();
    this.offConnected = undefined;
    this.unfollow();
  }

  /** Subscribes to the session user's inbox channel, once the session is known. */
  private follow(): void {
    const user = this.host.session?.user;
    if (user === undefined || user === this.followed?.user) return;
    this.unfollow();
    const channel = notificationsChannel(user);
    let sub: Subscription;
    try {
      sub = this.host.subscribe(channel, (event) => this.handleEvent(sub, event));
    } catch (cause) {
      return this.reportError(cause, `cannot subscribe to '${channel}'`, channel);
    }
    this.followed = { user, sub };
    sub.on('subscribed', () => this.handleLive(sub));
    sub.on('unsubscribed', (ctx) => this.handleEnded(sub, ctx));
    // A pattern the app already holds is live at once, before the listener above existed.
    if (sub.state === 'subscribed') this.sync();
  }

  private unfollow(): void {
    const sub = this.followed?.sub;
    this.followed = undefined;
    this.tracker.reset();
    sub?.unsubscribe(); // its `unsubscribed` finds it no longer followed
  }

  private handleLive(sub: Subscription): void {
    const followed = this.followed;
    if (followed?.sub !== sub) return;
    // Another user: the `connected` listener moves to their channel once the handshake is done.
    if (this.host.session?.user !== followed.user) return;
    this.sync();
  }

  private handleEnded(sub: Subscription, ctx: SubscriptionEndedContext): void {
    const followed = this.followed;
    if (followed?.sub !== sub || this.host.session?.user !== followed.user) return;
    // Refused or ended by the server: nothing keeps the count live any more.
    this.stop();
    const code: ErrorCode = (ERROR_CODES as readonly string[]).includes(ctx.reason)
      ? (ctx.reason as ErrorCode)
      : 'unavailable';
    const error =
      ctx.error ??
      new HubcastError(
        code,
        `the server ended the subscription to '${ctx.channel}': ${ctx.reason}`,
      );
    this.emit('error', { error, channel: ctx.channel });
  }

  /** Fetches the count; the tracker decides whether its answer may be adopted. */
  private sync(): void {
    const token = this.tracker.beginFetch();
    this.unreadCount().then(
      (count) => {
        const before = this.tracker.count;
        this.settle(before, this.tracker.fetched(token, count));
      },
      (cause: unknown) => {
        if (!this.tracker.fetchFailed(token)) return;
        // A lost connection is not news here: the next `subscribed` fetches again.
        if (this.followed?.sub.state !== 'subscribed') return;
        const channel = this.followed.sub.channel;
        this.reportError(cause, 'unread count fetch failed', channel);
      },
    );
  }

  private handleEvent(sub: Subscription, event: HubcastEvent): void {
    if (this.followed?.sub !== sub) return;
    const before = this.tracker.count;
    let push: NotificationPush;
    try {
      push = parseNotificationPush(event.data);
    } catch (cause) {
      this.reportError(cause, 'bad inbox event', event.channel);
      return this.settle(before, this.tracker.unsure());
    }
    switch (push.type) {
      case 'notification.created': {
        const { notification } = push;
        const outcome = this.tracker.created(notification.id, notification.read_at === undefined);
        if (!outcome.duplicate) this.emit('created', { notification });
        return this.settle(before, outcome);
      }
      case 'notification.read': {
        const outcome = this.tracker.read(push.ids);
        this.emit('read', { ids: push.ids, ts: event.ts });
        return this.settle(before, outcome);
      }
      case 'notification.read_all': {
        const outcome = this.tracker.readAll();
        this.emit('readAll', { ts: event.ts });
        return this.settle(before, outcome);
      }
      case 'unknown':
        // A newer server's change may move the count: ask rather than guess.
        return this.settle(before, this.tracker.unsure());
      default: {
        const unhandled: never = push;
        return void unhandled;
      }
    }
  }

  /** After a tracker step: reports a moved count, and fetches when asked and live. */
  private settle(before: number | undefined, outcome: TrackerOutcome): void {
    const after = this.tracker.count;
    if (after !== undefined && after !== before)
      this.emit('unread', { unread: after, previous: before });
    if (outcome.fetch && this.followed?.sub.state === 'subscribed') this.sync();
  }

  private reportError(cause: unknown, what: string, channel: string): void {
    const why = cause instanceof Error ? cause.message : String(cause);
    const error =
      cause instanceof HubcastError
        ? cause
        : new HubcastError('internal', `${what}: ${why}`, { cause });
    this.emit('error', { error, channel });
  }

  private reportListenerError(cause: unknown, event: string): void {
    if (event === 'error') {
      // An error listener that throws has nowhere left to report to: surface it.
      queueMicrotask(() => {
        throw cause;
      });
      return;
    }
    const why = cause instanceof Error ? cause.message : String(cause);
    this.emit('error', {
      error: new HubcastError('internal', `'${event}' listener threw: ${why}`, { cause }),
    });
  }
}
