/** Message shapes of docs/protocol.md §4 and §5 as discriminated unions on `type`. */
import type { ErrorCode } from './codes.js';

export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Client identity sent in `connect` (shown in presence as `devices`). */
export interface ClientInfo {
  name?: string;
  version?: string;
  device?: string;
}

interface CommandBase {
  /** 1..2^53-1, echoed on the reply. */
  id?: number;
}

export interface ConnectCommand extends CommandBase {
  type: 'connect';
  token: string;
  cursor?: string;
  subscriptions?: string[];
  client?: ClientInfo;
}
export interface SubscribeCommand extends CommandBase {
  type: 'subscribe';
  channel: string;
  cursor?: string;
  presence?: boolean;
}
export interface UnsubscribeCommand extends CommandBase {
  type: 'unsubscribe';
  channel: string;
}
export interface PublishCommand extends CommandBase {
  type: 'publish';
  channel: string;
  data: JsonValue;
  key?: string;
  /** Hubcast addition: `false` keeps this event from the publishing connection. */
  echo?: boolean;
  /**
   * `true`: fan the event out live only, never logged or replayed, with no cursor (docs/ephemeral.md).
   * Never with `key`. `false` is the same as absent.
   */
  ephemeral?: boolean;
}
export interface RefreshCommand extends CommandBase {
  type: 'refresh';
  token: string;
}
export interface PresenceCommand extends CommandBase {
  type: 'presence';
  channel: string;
}
export interface HistoryCommand extends CommandBase {
  type: 'history';
  channel: string;
  after?: string;
  before?: string;
  limit?: number;
}
export interface RpcCommand extends CommandBase {
  type: 'rpc';
  method: string;
  params?: JsonValue;
}
export interface PingCommand extends CommandBase {
  type: 'ping';
}
/** The answer to a server `ping`; free of the rate limit. */
export interface PongMessage {
  type: 'pong';
}

export type ClientCommand =
  | ConnectCommand
  | SubscribeCommand
  | UnsubscribeCommand
  | PublishCommand
  | RefreshCommand
  | PresenceCommand
  | HistoryCommand
  | RpcCommand
  | PingCommand;

export type ClientMessage = ClientCommand | PongMessage;
export type ClientMessageType = ClientMessage['type'];

/** One event as it travels on the wire. */
export interface WireEvent {
  event_id: string;
  channel: string;
  data: JsonValue;
  ts: string;
  cursor: string;
  from?: string;
  /** Absent on a logged event; see `EphemeralWireEvent`. */
  ephemeral?: undefined;
}

/**
 * An ephemeral event (docs/ephemeral.md): fanned out live, never logged, so it has no cursor and
 * a client must not move its resume cursor on it. `event_id` is unique per tenant.
 */
export interface EphemeralWireEvent {
  event_id: string;
  channel: string;
  data: JsonValue;
  ts: string;
  /** Never present: declared so `event.cursor` reads as `string | undefined` on either kind. */
  cursor?: undefined;
  from?: string;
  ephemeral: true;
}

export interface RejectedSubscription {
  channel: string;
  code: ErrorCode;
}

export interface PresenceMember {
  user: string;
  info?: JsonValue;
  connections: number;
  devices: string[];
}

interface ReplyBase {
  id?: number;
}

export interface ConnectedReply extends ReplyBase {
  type: 'connected';
  session: string;
  user: string;
  org: string;
  expires_at: number;
  ping_interval: number;
  cursor: string;
  subscriptions: string[];
  rejected: RejectedSubscription[];
  resumed?: boolean;
}
export interface SubscribedReply extends ReplyBase {
  type: 'subscribed';
  channel: string;
  cursor: string;
  resumed?: boolean;
}
export interface UnsubscribedMessage extends ReplyBase {
  type: 'unsubscribed';
  channel: string;
  /** Present on pushes (`forbidden` after a refresh), absent on replies. */
  reason?: string;
}
/** The reply to a logged publish. */
export interface DurablePublishedReply extends ReplyBase {
  type: 'published';
  event_id: string;
  cursor: string;
  duplicate: boolean;
  ephemeral?: undefined;
}
/** The reply to an `ephemeral: true` publish: no cursor, as nothing was logged. */
export interface EphemeralPublishedReply extends ReplyBase {
  type: 'published';
  event_id: string;
  cursor?: undefined;
  /** Always `false`: an ephemeral publish has no idempotency key. */
  duplicate: false;
  ephemeral: true;
}
export type PublishedReply = DurablePublishedReply | EphemeralPublishedReply;
export interface RefreshedReply extends ReplyBase {
  type: 'refreshed';
  expires_at: number;
}
export interface PresenceReply extends ReplyBase {
  type: 'presence';
  channel: string;
  /** At most the server's `presenceMembersMax`, sorted by user id (docs/presence.md). */
  members: PresenceMember[];
  /** Every member, listed or not; absent from servers before the member cap. */
  count?: number;
}
export interface HistoryReply extends ReplyBase {
  type: 'history';
  events: WireEvent[];
  more: boolean;
  /**
   * Present exactly when `more`: where the next call goes on, passed as `after` when this one
   * read oldest first (it had `after`), else as `before`. May come with no events.
   */
  cursor?: string;
}
export interface ResultReply extends ReplyBase {
  type: 'result';
  result: JsonValue;
}
export interface PongReply extends ReplyBase {
  type: 'pong';
}
export interface ErrorReply extends ReplyBase {
  type: 'error';
  code: ErrorCode;
  message: string;
  [detail: string]: unknown;
}

export interface DurableEventPush extends WireEvent {
  type: 'event';
}
export interface EphemeralEventPush extends EphemeralWireEvent {
  type: 'event';
}
/** The `event` push: narrow on `ephemeral === true` before reading `cursor`. */
export type EventPush = DurableEventPush | EphemeralEventPush;
export interface JoinPush {
  type: 'join';
  channel: string;
  user: string;
  info?: JsonValue;
  /**
   * The user was already present and their info changed (`presence.setInfo`): an upsert, so a
   * client that ignores this field stays right (docs/presence.md "Info updates").
   */
  update?: true;
}
export interface LeavePush {
  type: 'leave';
  channel: string;
  user: string;
  info?: JsonValue;
}
export interface ReconnectPush {
  type: 'reconnect';
  delay_ms: number;
  reason: string;
}
export interface PingPush {
  type: 'ping';
}

export type ServerMessage =
  | ConnectedReply
  | SubscribedReply
  | UnsubscribedMessage
  | PublishedReply
  | RefreshedReply
  | PresenceReply
  | HistoryReply
  | ResultReply
  | PongReply
  | ErrorReply
  | EventPush
  | JoinPush
  | LeavePush
  | ReconnectPush
  | PingPush;

export type ServerMessageType = ServerMessage['type'];

/** One entry of a user's inbox (docs/protocol.md §10); times are RFC 3339 UTC, milliseconds. */
export interface Notification {
  id: string;
  kind: string;
  title: string;
  body?: string;
  /** Any JSON value; absent when the notification has none. */
  data?: JsonValue;
  created_at: string;
  /** Absent while unread. */
  read_at?: string;
}
