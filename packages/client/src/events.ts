/** Event maps of the client and of subscriptions (STYLE rule 16): one context object each. */
import type {
  HubcastError,
  JsonValue,
  PresenceMember,
  EphemeralWireEvent,
  RejectedSubscription,
  WireEvent,
} from '@hubcast/protocol';
import type { ClientState, SubscriptionState } from './client-state.js';
import type { Notification } from './notification-shapes.js';
import type { StateChange } from './state-machine.js';

/**
 * An event as handlers see it (docs/protocol.md §1): a logged one with its `cursor`, or an
 * ephemeral one (`ephemeral: true`, no cursor; docs/ephemeral.md).
 */
export type HubcastEvent = WireEvent | EphemeralWireEvent;

/** The session granted by `connected`; `refreshed` moves `expiresAtSeconds`. */
export interface SessionInfo {
  id: string;
  user: string;
  org: string;
  /** Token expiry, Unix seconds. */
  expiresAtSeconds: number;
  pingIntervalSeconds: number;
}

export type ClientStateContext = StateChange<ClientState>;

export interface ConnectedContext {
  session: SessionInfo;
  /** `true`/`false` when a cursor was sent; `undefined` on a first connect without one. */
  resumed: boolean | undefined;
  /** The client's cursor after the handshake. */
  cursor: string;
  subscriptions: string[];
  rejected: RejectedSubscription[];
}

export interface DisconnectedContext {
  code: number;
  reason: string;
  willReconnect: boolean;
  /** Wait before the next attempt, when `willReconnect`. */
  delayMs?: number;
  /** Why the client stopped, when it did not reconnect because of the server. */
  error?: HubcastError;
}

export interface ResetContext {
  /** The cursor the server could not resume from. */
  previousCursor: string;
  /** The log head the subscriptions went live at. */
  cursor: string;
}

export interface ErrorContext {
  error: HubcastError;
  /** The subscription pattern the error concerns, if any. */
  channel?: string;
}

export interface RefreshedContext {
  expiresAtSeconds: number;
}

export interface ServerUnsubscribedContext {
  channel: string;
  reason: string;
}

export interface ClientEvents {
  /** Every change of `client.state`. */
  state: (ctx: ClientStateContext) => void;
  /** The handshake succeeded (first connect and every reconnect). */
  connected: (ctx: ConnectedContext) => void;
  /** A socket closed or an attempt failed; says whether and when the client tries again. */
  disconnected: (ctx: DisconnectedContext) => void;
  /** The cursor fell out of retention (or the log was wiped): events were missed, refetch state. */
  reset: (ctx: ResetContext) => void;
  /** Something failed that no promise reports: a stop, a refresh, a subscription, a listener. */
  error: (ctx: ErrorContext) => void;
  /** Every event received, after the subscription handlers ran. */
  event: (event: HubcastEvent) => void;
  /** The token was refreshed on the live connection. */
  refreshed: (ctx: RefreshedContext) => void;
  /** The server ended a subscription (`unsubscribed` push, e.g. `forbidden` after a refresh). */
  unsubscribed: (ctx: ServerUnsubscribedContext) => void;
}

export type SubscriptionStateContext = StateChange<SubscriptionState>;

export interface SubscribedContext {
  channel: string;
  /** Log head when the subscription went live. */
  cursor: string;
  /** Present when the subscribe carried a cursor. */
  resumed?: boolean;
}

export interface SubscriptionEndedContext {
  channel: string;
  /** `unsubscribe` for a local call, the server's reason for a push, or the error code. */
  reason: string;
  error?: HubcastError;
}

export interface PresenceChangeContext {
  channel: string;
  user: string;
  info?: JsonValue;
  /** On `join`: the user was already present and changed their info (docs/presence.md §5). */
  update?: true;
}

export interface SubscriptionEvents {
  /** Every change of `subscription.state`. */
  state: (ctx: SubscriptionStateContext) => void;
  /** The server confirmed the subscription (again after each reconnect). */
  subscribed: (ctx: SubscribedContext) => void;
  /** The subscription ended for good. */
  unsubscribed: (ctx: SubscriptionEndedContext) => void;
  /**
   * A user's first connection entered the channel, or (`update: true`) a present user's info
   * changed: an upsert (`presence: true` only).
   */
  join: (ctx: PresenceChangeContext) => void;
  /** A user's last connection left the channel (`presence: true` only). */
  leave: (ctx: PresenceChangeContext) => void;
  /** The subscription was refused or a handler threw. */
  error: (ctx: ErrorContext) => void;
}

/** Result of `publish`. */
export interface PublishResult {
  event_id: string;
  cursor: string;
  /** `true` when the key had been used before: nothing new was stored. */
  duplicate: boolean;
}

/** Result of `publishEphemeral`: nothing was logged, so there is no cursor. */
export interface EphemeralPublishResult {
  event_id: string;
}

/** Result of `history`. */
export interface HistoryPage {
  /** Only logged events: ephemeral ones are never in history. */
  events: WireEvent[];
  /** The server stopped before the end of the log in the direction asked: call again. */
  more: boolean;
  /**
   * Present exactly when `more`: where the next call goes on, given as `after` when this call
   * had `after`, else as `before`.
   */
  cursor?: string;
}

/** Result of `presence`. */
export interface PresenceSnapshot {
  channel: string;
  /** At most the server's `presenceMembersMax`, sorted by user id (docs/presence.md §6). */
  members: PresenceMember[];
  /** Every member, listed or not; absent from servers before the member cap. */
  count?: number;
}

export interface NotificationCreatedContext {
  notification: Notification;
}

export interface NotificationsReadContext {
  ids: string[];
  /** Server time of the change (the event's `ts`), e.g. to set `read_at` in a list. */
  ts: string;
}

export interface NotificationsReadAllContext {
  /** Server time of the change (the event's `ts`). */
  ts: string;
}

export interface UnreadChangeContext {
  unread: number;
  /** `undefined` on the first sync. */
  previous: number | undefined;
}

export interface NotificationEvents {
  /** A new notification reached the inbox (once per id, replays included). */
  created: (ctx: NotificationCreatedContext) => void;
  /** Notifications were marked read, on any of the user's devices (again on a replay). */
  read: (ctx: NotificationsReadContext) => void;
  /** Everything was marked read, on any of the user's devices. */
  readAll: (ctx: NotificationsReadAllContext) => void;
  /** `notifications.unread` changed. */
  unread: (ctx: UnreadChangeContext) => void;
  /** A count fetch failed, an inbox event was malformed, or the subscription was refused. */
  error: (ctx: ErrorContext) => void;
}
