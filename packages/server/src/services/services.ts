/**
 * The services on the gateway (issue 12), built at one spot and reached through one `rpc` door:
 * the notification inbox, chat, Web Push, webhooks, call signalling and presence info. Each is
 * a plain module on the store and the log (ARCHITECTURE.md "services"); this file wires them to
 * each other and to the node's narrow callbacks, so node.ts only wires parts.
 */
import { notFound, type JsonValue } from '@hubcast/protocol';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { AppendInput, AppendResult } from '../log/log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Presence } from '../presence/presence.js';
import type { Session } from '../session/session.js';
import type { Store } from '../store/store.js';
import { ChatService } from './chat/chat-service.js';
import { SendRate } from './chat/send-rate.js';
import { ChatTyping } from './chat/typing.js';
import { FollowUpRelay } from './notification-follow-ups.js';
import { followUpQuietHours, NotificationService } from './notifications.js';
import type { PresenceInfoService } from './presence-info.js';
import { PushService, vapidOf, type PushDeps } from './push/push-service.js';
import { SignallingService } from './signalling.js';
import { WebhookHooks } from './webhooks/node-hooks.js';

export interface ServicesDeps {
  config: Config;
  store: () => Store;
  presence: () => Presence;
  /** Appends as the node's services (their own idempotency scope). */
  publish: (org: string, items: readonly AppendInput[]) => Promise<AppendResult[]>;
  /** A trusted ephemeral fan-out (node.ts `publishEphemeral`). */
  publishEphemeral: (
    org: string,
    channel: string,
    data: JsonValue,
    from: string,
  ) => Promise<string>;
  /** Refuses past the tenant's publish quota. */
  chargePublishes: (org: string, events: number) => void;
  /** A live connection anywhere now (no grace period): who Web Push and webhooks skip. */
  hasLiveConnection: (org: string, user: string) => Promise<boolean>;
  /** Counts work that drain must wait for. */
  track: <T>(work: Promise<T>) => Promise<T>;
  presenceInfo: PresenceInfoService;
  metrics: Metrics;
  logger: Logger;
  push?: PushDeps;
}

/** An rpc method's handler, chosen by the method's prefix (`chat.`, `push.`, ...). */
type RpcHandler = (s: Session, method: string, params: JsonValue | undefined) => Promise<JsonValue>;

export class Services {
  readonly webhooks: WebhookHooks;
  readonly push: PushService;
  readonly notifications: NotificationService;
  /** Carries out the Web Push and webhooks a notify recorded (notification-follow-ups.ts). */
  readonly followUps: FollowUpRelay;
  readonly signalling: SignallingService;
  readonly chat: ChatService;
  private readonly byPrefix: ReadonlyMap<string, RpcHandler>;

  constructor(deps: ServicesDeps) {
    const { config, store, logger, metrics } = deps;
    // Webhooks, and the cluster's online users that they and Web Push share.
    this.webhooks = new WebhookHooks({
      config,
      presence: deps.presence,
      store: () => store().webhooks,
      registry: metrics.registry,
      logger,
      hasLiveConnection: deps.hasLiveConnection,
    });
    this.push = new PushService({
      vapid: vapidOf(config),
      allowInsecure: config.pushAllowInsecure,
      store: () => store().push,
      // A push goes to a user with no live connection anywhere now; quiet hours are in the zone
      // the user keeps in their chat profile (UTC without one).
      isOnline: deps.push?.isOnline ?? deps.hasLiveConnection,
      timeZoneOf:
        deps.push?.timeZoneOf ??
        (async (org, user) => (await store().chat.profile(org, user)).time_zone),
      now: deps.push?.now ?? Date.now,
      logger,
      ...(deps.push?.provider === undefined ? {} : { provider: deps.push.provider }),
      ...(deps.push?.pollMs === undefined ? {} : { pollMs: deps.push.pollMs }),
      onOutcome: (outcome) => metrics.countWebPush(outcome),
    });
    // Web Push and `notification.undelivered` of a notify, durable with its commit.
    this.followUps = new FollowUpRelay({
      store: () => store().followUps,
      planner: {
        pushes: (f) => this.push.plan(f.org, f.users, f.notifications, followUpQuietHours(f.data)),
        webhooks: (f) => this.webhooks.undelivered(f.org, f.users, f.notifications),
        queued: (pushes, webhooks) => {
          this.push.queued(pushes);
          this.webhooks.service.queued(webhooks);
        },
      },
      logger,
      registry: metrics.registry,
      ...(deps.push?.followUpPollMs === undefined ? {} : { pollMs: deps.push.followUpPollMs }),
      ...(deps.push?.followUpPlanTimeoutMs === undefined
        ? {}
        : { planTimeoutMs: deps.push.followUpPlanTimeoutMs }),
      ...(deps.push?.followUpRetryBaseMs === undefined
        ? {}
        : { retryBaseMs: deps.push.followUpRetryBaseMs }),
    });
    this.notifications = new NotificationService(
      () => store().notifications,
      (org, items) => deps.track(deps.publish(org, items)),
      logger,
      {
        relay: this.followUps,
        wanted: (org) =>
          this.push.enabled || this.webhooks.service.wants(org, 'notification.undelivered'),
      },
    );
    this.signalling = new SignallingService({
      publishEphemeral: deps.publishEphemeral,
      chargePublishes: deps.chargePublishes,
      maxDataDepth: config.maxDataDepth,
    });
    // Chat changes reach the log through the store's outbox, which the inbox's relay drains.
    this.chat = new ChatService({
      store: () => store().chat,
      flushPushes: () => this.notifications.relay.flush(),
      notify: (org, request) => this.notifications.notify(org, request),
      sendRate: new SendRate(config.chatSendRate, config.chatSendBurst),
      typing: new ChatTyping(() => store().chat, deps.publishEphemeral),
      maxDataDepth: config.maxDataDepth,
    });
    const { presenceInfo } = deps;
    this.byPrefix = new Map<string, RpcHandler>([
      ['notifications', (s, m, p) => this.notifications.rpc(s.org, s.user, m, p)],
      ['presence', (s, m, p) => presenceInfo.rpc(s, m, p)],
      ['push', (s, m, p) => this.push.rpc(s.org, s.user, m, p)],
      ['signal', (s, m, p) => this.signalling.rpc(s.org, s.user, m, p)],
      [
        'chat',
        (s, m, p) =>
          this.chat.rpc({ org: s.org, user: s.user, subscribeGrants: s.subscribeGrants }, m, p),
      ],
    ]);
  }

  /** PROTOCOL.md §4 `rpc`: the service named by the method's prefix answers. */
  rpc(s: Session, method: string, params: JsonValue | undefined): Promise<JsonValue> {
    const dot = method.indexOf('.');
    const handler = dot > 0 ? this.byPrefix.get(method.slice(0, dot)) : undefined;
    if (handler === undefined)
      return Promise.reject(notFound(`unknown rpc method '${method.slice(0, 64)}'`));
    return handler(s, method, params);
  }

  /** Starts the background loops: outbox relay, follow-ups, Web Push and webhook dispatchers. */
  start(): void {
    this.notifications.relay.start();
    void this.notifications.relay.flush();
    this.push.dispatcher?.start();
    this.webhooks.start();
    this.followUps.start();
  }
}
