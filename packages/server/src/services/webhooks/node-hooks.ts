/**
 * Where the node's events become webhooks: the few calls node.ts makes (a connection went live
 * or closed, a concrete subscription began or ended, a dead node's hidden presence expired) and
 * a notify's follow-up, turned into `user.*`, `channel.*` and `notification.undelivered`.
 * Kept out of node.ts so the wiring file only wires.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../../config/schema.js';
import { ChannelOccupancy } from '../../presence/channel-occupancy.js';
import { OnlineUsers, type Connection } from '../../presence/online-users.js';
import type { Presence, PresenceChange } from '../../presence/presence.js';
import type { Notification } from '../../store/store.js';
import type { NewWebhook, WebhookStore } from '../../store/webhook-store.js';
import { wireNotification } from '../notifications.js';
import { WebhookService } from './webhook-service.js';

export interface WebhookHooksOptions {
  config: Config;
  presence: () => Presence;
  store: () => WebhookStore;
  registry: Registry;
  logger: Logger;
  /**
   * Whether the user has a live connection now, anywhere: `notification.undelivered` goes out
   * otherwise. Not the debounced online view, which stays true for the grace period after the
   * last connection closed: a user who closed the app a second ago would never hear of it.
   */
  hasLiveConnection: (org: string, user: string) => Promise<boolean>;
}

export class WebhookHooks {
  readonly service: WebhookService;
  /**
   * Each connection's hidden presence entry: who is online (the `user.*` webhooks) and who
   * has a live connection now (cluster/user-slots.ts writes it on a cluster node).
   */
  readonly online: OnlineUsers;
  private readonly occupancy: ChannelOccupancy;
  private readonly tracksChannels: boolean;

  constructor(private readonly options: WebhookHooksOptions) {
    const { config, presence, logger } = options;
    const delayMs = config.presenceLeaveDelay * 1000;
    this.service = new WebhookService({
      config,
      store: options.store,
      registry: options.registry,
      logger,
    });
    this.online = new OnlineUsers({
      presence,
      leaveDelayMs: delayMs,
      reportsChanges: (org) =>
        this.service.wants(org, 'user.online') || this.service.wants(org, 'user.offline'),
      onChange: ({ org, user, online }) =>
        void this.service.emit(org, online ? 'user.online' : 'user.offline', { user }),
      logger,
    });
    this.occupancy = new ChannelOccupancy(
      presence,
      delayMs,
      ({ org, channel, occupied }) =>
        void this.service.emit(org, occupied ? 'channel.occupied' : 'channel.vacated', {
          channel,
        }),
      logger,
    );
    this.tracksChannels = this.service.anyWants('channel.occupied', 'channel.vacated');
  }

  /** A connection is authenticated and admitted. */
  connected(c: Connection): void {
    this.online.connected(c);
  }

  disconnected(c: Connection): void {
    this.online.disconnected(c);
  }

  /** A session's exact subscription to a concrete channel began (presence enter). */
  subscribed(c: Connection, channel: string): void {
    if (this.watchesChannels(c.org)) this.occupancy.enter(c.id, c.org, channel);
  }

  unsubscribed(c: Connection, channel: string): void {
    if (this.watchesChannels(c.org)) this.occupancy.leave(c.id, c.org, channel);
  }

  /**
   * The `notification.undelivered` webhooks of a notify's follow-up: one per notification whose
   * user has no connection anywhere now. Rejects when presence cannot answer, so the follow-up
   * is tried again later.
   */
  async undelivered(
    org: string,
    users: readonly string[],
    notifications: readonly Notification[],
  ): Promise<NewWebhook[]> {
    if (!this.service.wants(org, 'notification.undelivered')) return [];
    const online = new Map(
      await Promise.all(
        [...new Set(users)].map(
          async (user) => [user, await this.options.hasLiveConnection(org, user)] as const,
        ),
      ),
    );
    const out: NewWebhook[] = [];
    notifications.forEach((notification, i) => {
      const user = users[i];
      if (user === undefined || online.get(user) !== false) return;
      const row = this.service.delivery(org, 'notification.undelivered', {
        user,
        notification: wireNotification(notification),
      });
      if (row !== undefined) out.push(row);
    });
    return out;
  }

  /** A hidden presence entry of a dead (or restored) node; see presenceExpiry in engines.ts. */
  expired(change: 'join' | 'leave', member: PresenceChange): void {
    if (!this.online.fromExpiry(change, member) && this.tracksChannels)
      this.occupancy.fromExpiry(change, member);
  }

  start(): void {
    this.service.start();
  }

  /** Claims no more webhooks and waits (bounded) for the requests under way. */
  drain(): Promise<void> {
    return this.service.stop();
  }

  /**
   * Reports the offlines and vacancies the grace period held back (the store must still be
   * open), then waits for them to be queued; other nodes, or the next start, send them.
   */
  async stop(): Promise<void> {
    await Promise.all([this.online.close(), this.occupancy.close()]);
    await this.service.stop();
  }

  private watchesChannels(org: string): boolean {
    return (
      this.tracksChannels &&
      (this.service.wants(org, 'channel.occupied') || this.service.wants(org, 'channel.vacated'))
    );
  }
}
