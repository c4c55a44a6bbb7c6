/**
 * Web Push for offline devices (docs/push.md): the `push.*` rpc methods of a user's own
 * subscriptions, and the plan of a notify's follow-up: a push per notification whose user has no
 * live connection, deferred past their quiet hours. Sending is the dispatcher's job
 * (dispatcher.ts), which checks the connection again when a push comes due.
 */
import { badRequest, isObject, notFound, unavailable, type JsonValue } from '@hubcast/protocol';
import type { Logger } from 'pino';
import type { Notification } from '../../store/store.js';
import type { NewPushDelivery, PushSubscriptionStore } from '../../store/push-store.js';
import { PUSH_SUBSCRIPTIONS_PER_USER } from '../../store/push-store.js';
import { PushDispatcher } from './dispatcher.js';
import { buildPushPayload } from './payload.js';
import type { PushProvider } from './provider.js';
import { quietHoursEnd, type QuietHours } from './quiet-hours.js';
import { parseEndpointParam, parseRegister } from './subscription-input.js';
import { WebPushProvider, type VapidKeys } from './web-push-provider.js';

/** Whether a user has a live connection anywhere (another helper builds the cluster-wide one). */
export type IsOnline = (org: string, user: string) => Promise<boolean>;
/** The user's IANA time zone (`chat.profile`), or undefined: UTC. */
export type TimeZoneOf = (org: string, user: string) => Promise<string | undefined>;

export interface PushServiceOptions {
  /** Absent: Web Push is off and its rpc answers `unavailable`. */
  vapid: VapidKeys | undefined;
  allowInsecure: boolean;
  store: () => PushSubscriptionStore;
  isOnline: IsOnline;
  timeZoneOf: TimeZoneOf;
  now: () => number;
  logger: Logger;
  /** Replaces Web Push (tests; a future FCM/APNs provider goes next to it). */
  provider?: PushProvider;
  pollMs?: number;
  maxSubscriptionsPerUser?: number;
  onOutcome?: (outcome: string) => void;
}

/** What a node's wiring may replace (NodeDeps.push); the defaults fit one node. */
export interface PushDeps {
  isOnline?: IsOnline;
  timeZoneOf?: TimeZoneOf;
  /** The clock of quiet hours, retries and leases (tests move it). */
  now?: () => number;
  provider?: PushProvider;
  /** Between dispatcher passes when nothing kicks. */
  pollMs?: number;
  /** Between passes of the notify follow-up relay when nothing kicks (default 5000). */
  followUpPollMs?: number;
  /** How long the follow-up relay's presence lookups for one follow-up may take (default 10 s). */
  followUpPlanTimeoutMs?: number;
  /** The follow-up relay's first backoff after a failure (default 1 s). */
  followUpRetryBaseMs?: number;
}

/** The VAPID keys of a config, when Web Push is on (config/vapid.ts checked them). */
export function vapidOf(config: {
  vapidPublicKey?: string | undefined;
  vapidPrivateKey?: string | undefined;
  vapidSubject?: string | undefined;
}): VapidKeys | undefined {
  const { vapidPublicKey: publicKey, vapidPrivateKey: privateKey, vapidSubject: subject } = config;
  if (publicKey === undefined || privateKey === undefined || subject === undefined)
    return undefined;
  return { publicKey, privateKey, subject };
}

const OFF_MESSAGE =
  'Web Push is off on this server: it has no VAPID keys (--vapid-public-key, ' +
  '--vapid-private-key, --vapid-subject)';

export class PushService {
  /** Undefined while Web Push is off. */
  readonly dispatcher: PushDispatcher | undefined;

  constructor(private readonly options: PushServiceOptions) {
    if (options.vapid === undefined && options.provider === undefined) return;
    if (options.allowInsecure)
      options.logger.warn('pushAllowInsecure is set: push endpoints may reach internal addresses');
    this.dispatcher = new PushDispatcher({
      store: options.store,
      provider:
        options.provider ??
        new WebPushProvider({
          vapid: options.vapid as VapidKeys,
          allowInsecure: options.allowInsecure,
        }),
      now: options.now,
      isOnline: options.isOnline,
      logger: options.logger,
      ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
      ...(options.onOutcome === undefined ? {} : { onOutcome: options.onOutcome }),
    });
  }

  get enabled(): boolean {
    return this.dispatcher !== undefined;
  }

  /** A `push.*` rpc of the caller's own devices. */
  async rpc(org: string, user: string, method: string, params: unknown): Promise<JsonValue> {
    const p = params === undefined || params === null ? {} : params;
    if (!isObject(p)) throw badRequest("'params' must be an object");
    const known = ['push.register', 'push.unregister', 'push.list', 'push.vapidKey'];
    if (!known.includes(method)) throw notFound(`unknown rpc method '${method.slice(0, 64)}'`);
    if (!this.enabled) throw unavailable(OFF_MESSAGE);
    const store = this.options.store();
    switch (method) {
      case 'push.register': {
        const input = parseRegister(p, this.options.allowInsecure);
        const max = this.options.maxSubscriptionsPerUser ?? PUSH_SUBSCRIPTIONS_PER_USER;
        const { count, replaced } = await store.register(org, user, input, max);
        return { count, replaced };
      }
      case 'push.unregister':
        return { removed: await store.unregister(org, user, parseEndpointParam(p)) };
      case 'push.list': {
        const subscriptions = await store.list(org, user);
        // Never the keys: they let anyone who holds them push to the device.
        return {
          subscriptions: subscriptions.map((s) => ({
            endpoint: s.endpoint,
            ...(s.device === undefined ? {} : { device: s.device }),
            created_at: new Date(s.createdAtMs).toISOString(),
          })),
        };
      }
      default:
        return { key: this.options.vapid?.publicKey ?? '' };
    }
  }

  /**
   * The Web Push deliveries of a notify's follow-up (services/notification-follow-ups.ts): one
   * per notification whose user has no live connection now, deferred past `quietHours` in the
   * user's zone. Rejects when presence cannot answer, so the follow-up is tried again later.
   */
  async plan(
    org: string,
    users: readonly string[],
    notifications: readonly Notification[],
    quietHours?: QuietHours,
  ): Promise<NewPushDelivery[]> {
    if (!this.enabled) return [];
    const offline = new Set<string>();
    const zones = new Map<string, string | undefined>();
    await Promise.all(
      [...new Set(users)].map(async (user) => {
        if (await this.options.isOnline(org, user)) return;
        offline.add(user);
        if (quietHours !== undefined) zones.set(user, await this.options.timeZoneOf(org, user));
      }),
    );
    const nowMs = this.options.now();
    const deliveries: NewPushDelivery[] = [];
    notifications.forEach((n, i) => {
      const user = users[i];
      if (user === undefined || !offline.has(user)) return;
      const quietEnd =
        quietHours === undefined
          ? undefined
          : quietHoursEnd(nowMs, quietHours, zones.get(user) ?? 'UTC');
      deliveries.push({
        org,
        user,
        notificationId: n.id,
        payload: buildPushPayload(n),
        notBeforeMs: quietEnd ?? nowMs,
      });
    });
    return deliveries;
  }

  /** Deliveries a follow-up queued: sent soon. */
  queued(count: number): void {
    if (count > 0) this.dispatcher?.kick();
  }
}
