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
export type { View } from './view.js';
export { LiveCollection } from './live-collection.js';
export type {
  LiveCollectionOptions,
  CollectionSnapshot,
  CollectionSnapshotResult,
  CollectionSource,
} from './live-collection.js';
export { reduceOp } from './collection-ops.js';
export type { CollectionOp, CollectionChange, ItemKey } from './collection-ops.js';
export type { SyncStatus, LiveSource } from './snapshot-sync.js';
export { ChatApi } from './chat-api.js';
export type { ChatRpc, ChatSendOptions, ChatHistoryOptions, ChatPage } from './chat-api.js';
export { ChatRoom, DEFAULT_MAX_MESSAGES } from './chat-room.js';
export type { ChatRoomOptions, ChatRoomSnapshot, ChatSource, PendingMessage } from './chat-room.js';
export { ChatThread } from './chat-thread.js';
export type { ChatThreadSnapshot } from './chat-thread.js';
export { TYPING_TTL_MS } from './chat-room-state.js';
export { ConnectionView } from './connection-view.js';
export type { ConnectionSnapshot, ConnectionSource } from './connection-view.js';
export { PresenceView } from './presence-view.js';
export type { PresenceViewSnapshot, PresenceViewMember, PresenceSource } from './presence-view.js';
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
export type {
  SharedOptions,
  SharedMode,
  SharedHandle,
  SharedWorkerLike,
} from './shared/connect-shared.js';
export type { HubcastConnection } from './shared/hubcast-connection.js';
export type { SharedConnection } from './shared/tab-connection.js';
