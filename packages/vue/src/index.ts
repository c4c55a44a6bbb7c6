/** @hubcast/vue: the public surface (STYLE rule 18). */
export { createHubcast, useHubcast, HUBCAST_CLIENT } from './plugin.js';
export type { CreateHubcastOptions, HubcastPlugin } from './plugin.js';
export { useView } from './use-view.js';
export { useChannel } from './use-channel.js';
export type { UseChannelOptions, ChannelRefs } from './use-channel.js';
export { usePresence } from './use-presence.js';
export type { PresenceRefs } from './use-presence.js';
export { useNotifications } from './use-notifications.js';
export type { NotificationsRefs } from './use-notifications.js';
export { useChat } from './use-chat.js';
export type { ChatRefs } from './use-chat.js';
export { useConnectionState } from './use-connection-state.js';
export type { ConnectionStateRefs } from './use-connection-state.js';
export { defineLiveStore, applyChange } from './live-store.js';
export type { LiveStoreOptions, LiveStoreSetup } from './live-store.js';
