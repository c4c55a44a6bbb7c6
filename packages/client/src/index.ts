/** @hubcast/client: the public surface (STYLE rule 18). */
export { HubcastClient } from './client.js';
export type { HistoryOptions } from './client.js';
export type { PublishOptions } from './publisher.js';
export type { Notifications } from './notifications.js';
export type {
  Notification,
  NotificationPage,
  ListNotificationsOptions,
  MarkReadResult,
} from './notification-shapes.js';
export type { ClientOptions } from './options.js';
export type { Subscription, EventHandler, SubscribeOptions } from './subscription.js';
export type { ClientState, SubscriptionState } from './client-state.js';
export type {
  ClientEvents,
  SubscriptionEvents,
  ClientStateContext,
  ConnectedContext,
  DisconnectedContext,
  ResetContext,
  ErrorContext,
  RefreshedContext,
  ServerUnsubscribedContext,
  SubscriptionStateContext,
  SubscribedContext,
  SubscriptionEndedContext,
  PresenceChangeContext,
  HubcastEvent,
  SessionInfo,
  PublishResult,
  EphemeralPublishResult,
  HistoryPage,
  PresenceSnapshot,
  NotificationEvents,
  NotificationCreatedContext,
  NotificationsReadContext,
  NotificationsReadAllContext,
  UnreadChangeContext,
} from './events.js';
export type { WebSocketLike, WebSocketConstructor } from './transport.js';
export { ServerClient } from './server-client.js';
export type {
  ServerClientOptions,
  FetchLike,
  PublishItem,
  HistoryQuery,
  PresenceQuery,
  DisconnectRequest,
  NotifyRequest,
  NodeStats,
} from './server-client.js';
export { HubcastError, isHubcastError } from '@hubcast/protocol';
export type { ErrorCode, JsonValue, PresenceMember, ClientInfo } from '@hubcast/protocol';
export { connectShared, availableModes } from './shared/connect-shared.js';
export type { SharedOptions, SharedMode, SharedHandle } from './shared/connect-shared.js';
export type { HubcastConnection } from './shared/hubcast-connection.js';
export type { SharedConnection } from './shared/tab-connection.js';
