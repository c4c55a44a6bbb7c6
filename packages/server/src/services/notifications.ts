/**
 * The notification inbox of PROTOCOL.md §10: the store keeps each user's inbox, the log carries
 * every change to the user's devices on `user.<id>.notifications`.
 *
 * Exactly once per `key`: the store writes the notifications, the key and their pushes (an
 * outbox) in one transaction; the push relay moves the outbox into the log. A call that died
 * after the commit loses nothing (the next drain pushes), and its retry with the same key
 * creates and pushes nothing new. A change is answered once its push is in the log, or, when
 * the log is down, once the change is committed (its push follows when the log is back).
 *
 * The same transaction records the notify's follow-up (Web Push and `notification.undelivered`
 * for users with no live connection, notification-follow-ups.ts), so a crash after the commit
 * loses neither; a notify kicks this node's relay and answers without waiting for it.
 *
 * Counts agree with pushes on one node: `list` and `unreadCount` wait for the changes of the
 * same user still in flight here, so a device is sent the push before a count that includes it.
 */
import {
  badRequest,
  isObject,
  isValidSegment,
  notFound,
  tooLarge,
  type JsonValue,
} from '@hubcast/protocol';
import type { Logger } from 'pino';
import {
  NOTIFICATION_LIST_LIMIT_MAX,
  type Notification,
  type NotificationStore,
} from '../store/store.js';
import { InFlight } from './in-flight.js';
import type { FollowUpRelay } from './notification-follow-ups.js';
import { PushRelay, type Publish } from './push-relay.js';
import { parseQuietHours, type QuietHours } from './push/quiet-hours.js';

/** The follow-ups of a notify (Web Push, webhooks): who runs them and which orgs need one. */
export interface NotifyFollowUps {
  relay: FollowUpRelay;
  /** Whether a notify of this org records a follow-up (Web Push is on, or it takes webhooks). */
  wanted: (org: string) => boolean;
}

/** The most users one `POST /api/notify` may name. */
export const NOTIFY_USERS_MAX = 1000;
/** The most ids one `notifications.markRead` may name. */
export const MARK_READ_IDS_MAX = 1000;
/** Users × notification size of one notify: the whole fan-out is one commit. */
export const NOTIFY_BYTES_MAX = 4 * 1024 * 1024;
const LIST_LIMIT_DEFAULT = 20;

export interface NotifyRequest {
  users: string[];
  notification: { kind: string; title: string; body?: string; data?: JsonValue };
  key?: string;
  /** When an offline push may not go out (docs/push.md); not stored with the notification. */
  quietHours?: QuietHours;
}

export class NotificationService {
  /** Changes in flight per user, which reads of that user's inbox wait for. */
  private readonly inFlight = new InFlight();

  readonly relay: PushRelay;

  constructor(
    private readonly store: () => NotificationStore,
    publish: Publish,
    logger: Logger,
    private readonly followUps?: NotifyFollowUps,
  ) {
    this.relay = new PushRelay(store, publish, logger);
  }

  /** `POST /api/notify` once the tenant is known; `body` is validated here. */
  async notify(org: string, body: unknown): Promise<{ ids: string[] }> {
    const request = parseNotify(body);
    const followUp = this.followUps?.wanted(org) === true ? followUpData(request) : undefined;
    return this.track(org, request.users, async () => {
      const created = await this.store().create(org, {
        ...request,
        ...(followUp === undefined ? {} : { followUp }),
      });
      if (created.created) {
        await this.relay.flush();
        // The follow-up is committed, so a kick is enough: the answer does not wait for a pass
        // over every org's follow-ups, and a failed pass leaves it to a later one, never lost.
        if (followUp !== undefined) void this.followUps?.relay.flush();
      }
      return { ids: created.ids };
    });
  }

  /** An `rpc` of the caller's own inbox. */
  async rpc(org: string, user: string, method: string, params: unknown): Promise<JsonValue> {
    const p = params === undefined || params === null ? {} : params;
    if (!isObject(p)) throw badRequest("'params' must be an object");
    switch (method) {
      case 'notifications.list': {
        const limit = optionalInt(p, 'limit', 1, NOTIFICATION_LIST_LIMIT_MAX) ?? LIST_LIMIT_DEFAULT;
        const before = optionalString(p, 'before');
        const unread = optionalBool(p, 'unread');
        await this.settled(org, user);
        const page = await this.store().list(org, user, {
          limit,
          ...(before === undefined ? {} : { before }),
          ...(unread === undefined ? {} : { unread }),
        });
        return { items: page.items.map(wireNotification), more: page.more };
      }
      case 'notifications.markRead': {
        const ids = p['ids'];
        if (!Array.isArray(ids) || ids.length > MARK_READ_IDS_MAX)
          throw badRequest(`'ids' must be an array of at most ${MARK_READ_IDS_MAX} ids`);
        ids.forEach((id, i) => {
          if (typeof id !== 'string' || id.length === 0 || id.length > 64)
            throw badRequest(`'ids[${i}]' must be a notification id`);
        });
        return this.track(org, [user], async () => {
          const updated = await this.store().markRead(org, user, ids as string[]);
          if (updated.length > 0) await this.relay.flush();
          return { updated: updated.length };
        });
      }
      case 'notifications.markAllRead':
        return this.track(org, [user], async () => {
          const updated = await this.store().markAllRead(org, user);
          if (updated > 0) await this.relay.flush();
          return { updated };
        });
      case 'notifications.unreadCount':
        await this.settled(org, user);
        return { count: await this.store().unreadCount(org, user) };
      default:
        throw notFound(`unknown rpc method '${method.slice(0, 64)}'`);
    }
  }

  private track<T>(org: string, users: readonly string[], work: () => Promise<T>): Promise<T> {
    return this.inFlight.track(org, users, work);
  }

  private settled(org: string, user: string): Promise<void> {
    return this.inFlight.settled(org, user);
  }
}

/** What a notify's follow-up carries: the quiet hours, which are not stored with the notification. */
function followUpData(request: NotifyRequest): JsonValue {
  const q = request.quietHours;
  return q === undefined ? {} : { quiet_hours: { start: q.start, end: q.end } };
}

/** The quiet hours a follow-up carries (`followUpData`); none when it holds none. */
export function followUpQuietHours(data: JsonValue): QuietHours | undefined {
  if (!isObject(data) || data['quiet_hours'] === undefined) return undefined;
  return parseQuietHours(data['quiet_hours']);
}

/** The wire form: absent optional fields stay absent. */
export function wireNotification(n: Notification): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = { id: n.id, kind: n.kind, title: n.title };
  if (n.body !== undefined) out['body'] = n.body;
  if (n.data !== undefined) out['data'] = n.data;
  out['created_at'] = n.created_at;
  if (n.read_at !== undefined) out['read_at'] = n.read_at;
  return out;
}

function parseNotify(body: unknown): NotifyRequest {
  if (!isObject(body)) throw badRequest('the body must be a JSON object');
  const users = body['users'];
  if (!Array.isArray(users) || users.length === 0 || users.length > NOTIFY_USERS_MAX)
    throw badRequest(`'users' must be an array of 1 to ${NOTIFY_USERS_MAX} user ids`);
  users.forEach((u, i) => {
    // A user id becomes a channel segment (`user.<id>.notifications`), so it follows that rule.
    if (typeof u !== 'string' || !isValidSegment(u))
      throw badRequest(`'users[${i}]' must be a user id (1-64 of A-Z a-z 0-9 _ - : @ = +)`);
  });
  const n = body['notification'];
  if (!isObject(n)) throw badRequest("'notification' must be an object");
  const kind = requiredString(n, 'kind', 64);
  const title = requiredString(n, 'title', 1024);
  const text = n['body'];
  if (text !== undefined && (typeof text !== 'string' || text.length > 16_384))
    throw badRequest("'notification.body' must be a string of at most 16384 characters");
  const quiet = n['quiet_hours'];
  const quietHours = quiet === undefined ? undefined : parseQuietHours(quiet);
  const key = body['key'];
  if (key !== undefined && (typeof key !== 'string' || key.length === 0 || key.length > 255))
    throw badRequest("'key' must be a string of 1-255 characters");
  const bytes = Buffer.byteLength(JSON.stringify(n)) * users.length;
  if (bytes > NOTIFY_BYTES_MAX)
    throw tooLarge(
      `'users' × 'notification' is ${bytes} bytes; one notify may write at most ${NOTIFY_BYTES_MAX}`,
    );
  return {
    users: users as string[],
    notification: {
      kind,
      title,
      ...(text === undefined ? {} : { body: text }),
      ...('data' in n ? { data: n['data'] as JsonValue } : {}),
    },
    ...(key === undefined ? {} : { key }),
    ...(quietHours === undefined ? {} : { quietHours }),
  };
}

function requiredString(o: Record<string, unknown>, field: string, max: number): string {
  const v = o[field];
  if (typeof v !== 'string' || v.length === 0 || v.length > max)
    throw badRequest(`'notification.${field}' must be a string of 1-${max} characters`);
  return v;
}

function optionalInt(
  o: Record<string, unknown>,
  field: string,
  min: number,
  max: number,
): number | undefined {
  const v = o[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw badRequest(`'${field}' must be an integer from ${min} to ${max}`);
  return v;
}

function optionalString(o: Record<string, unknown>, field: string): string | undefined {
  const v = o[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > 64)
    throw badRequest(`'${field}' must be a notification id`);
  return v;
}

function optionalBool(o: Record<string, unknown>, field: string): boolean | undefined {
  const v = o[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw badRequest(`'${field}' must be true or false`);
  return v;
}
