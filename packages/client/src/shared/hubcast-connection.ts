/**
 * What apps and bindings (Vue, React) use of a connection: implemented by `HubcastClient` (one
 * socket per tab) and by `SharedConnection` (one socket shared by all tabs of an origin), so a
 * binding accepts either.
 */
import type { JsonValue } from '@hubcast/protocol';
import type { HistoryOptions, HubcastClient } from '../client.js';
import type { ClientState } from '../client-state.js';
import type {
  ClientEvents,
  EphemeralPublishResult,
  HistoryPage,
  PresenceSnapshot,
  PublishResult,
  SessionInfo,
} from '../events.js';
import type { Notifications } from '../notifications.js';
import type { PublishOptions } from '../publisher.js';
import type { EventHandler, SubscribeOptions, Subscription } from '../subscription.js';

export interface HubcastConnection {
  readonly state: ClientState;
  /** The cursor of the last event processed; a reloaded page may resume from it. */
  readonly cursor: string | undefined;
  readonly session: Readonly<SessionInfo> | undefined;
  /** The session user's notification inbox and its live unread count. */
  readonly notifications: Notifications;
  connect(): Promise<void>;
  disconnect(): void;
  subscribe(pattern: string, handler: EventHandler, options?: SubscribeOptions): Subscription;
  publish(channel: string, data: unknown, options?: PublishOptions): Promise<PublishResult>;
  publishEphemeral(channel: string, data: unknown): Promise<EphemeralPublishResult>;
  history(channel: string, options?: HistoryOptions): Promise<HistoryPage>;
  presence(channel: string): Promise<PresenceSnapshot>;
  rpc(method: string, params?: JsonValue): Promise<JsonValue>;
  ping(): Promise<{ rttMs: number }>;
  on<K extends keyof ClientEvents>(event: K, listener: ClientEvents[K]): () => void;
  once<K extends keyof ClientEvents>(event: K, listener: ClientEvents[K]): () => void;
  off<K extends keyof ClientEvents>(event: K, listener: ClientEvents[K]): void;
}

/** Compile-time proof that the plain client fits (the TS form of Go's `var _ I = T{}`). */
export type ClientIsConnection = HubcastClient extends HubcastConnection ? true : never;
const clientFits: ClientIsConnection = true;
void clientFits;
