/**
 * What tabs and the hub (the one side that owns the socket: a SharedWorker or the leader tab)
 * say to each other. Structured clone carries them, so errors travel as `{ code, message }`.
 */
import { HubcastError, type ClientInfo, type ErrorCode, type JsonValue } from '@hubcast/protocol';
import type { ClientState } from '../client-state.js';
import type {
  ConnectedContext,
  DisconnectedContext,
  HubcastEvent,
  PresenceChangeContext,
  RefreshedContext,
  ResetContext,
  ServerUnsubscribedContext,
  SessionInfo,
  SubscribedContext,
} from '../events.js';

/** The `reason` of the state a new hub announces itself with. */
export const NEW_HUB = 'new hub';

/** The client options that can cross a port (no functions, no WebSocket class). */
export interface WireOptions {
  url: string;
  client?: ClientInfo;
  echo?: boolean;
  minReconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  offlineQueueSize?: number;
  commandTimeoutMs?: number;
  refreshMarginSeconds?: number;
  maxMessageBytes?: number;
}

export interface WireError {
  code: ErrorCode;
  message: string;
}

export interface TabSub {
  id: number;
  pattern: string;
  presence: boolean;
}

/** The calls a tab forwards; `args` are the method's arguments, cloned. */
export type CallMethod = 'publish' | 'publishEphemeral' | 'history' | 'presence' | 'rpc' | 'ping';

export type ToHub =
  /** First message of a tab, and again to every new hub (leader change): its whole state. */
  | {
      t: 'hello';
      tab: string;
      /** Who is logged in to the tab; a hub serves one user only. */
      user: string;
      options: WireOptions;
      cursor: string | undefined;
      wants: boolean;
      subs: TabSub[];
    }
  | { t: 'want'; tab: string; wants: boolean }
  | { t: 'sub'; tab: string; sub: TabSub; cursor: string | undefined }
  | { t: 'unsub'; tab: string; id: number }
  | { t: 'call'; tab: string; id: number; method: CallMethod; args: JsonValue[] }
  | { t: 'token'; tab: string; id: number; token?: string; error?: WireError }
  | { t: 'bye'; tab: string };

/** The client events a hub forwards to tabs, by name. */
export type Forwarded =
  | { name: 'connected'; ctx: ConnectedContext }
  | { name: 'disconnected'; ctx: Omit<DisconnectedContext, 'error'>; error?: WireError }
  | { name: 'reset'; ctx: ResetContext }
  | { name: 'refreshed'; ctx: RefreshedContext }
  | { name: 'unsubscribed'; ctx: ServerUnsubscribedContext }
  | { name: 'error'; error: WireError; channel?: string };

/** One hub's messages; `to` lists the tabs meant (all tabs when absent). */
export type FromHub = { hub: string; to?: string[] } & (
  | {
      t: 'state';
      state: ClientState;
      reason: string;
      session: SessionInfo | undefined;
      cursor: string | undefined;
      /**
       * The hub's last `connected` context, in its answer to a hello while connected: a tab
       * that joins an established connection gets its `connected` event from it.
       */
      connected?: ConnectedContext;
    }
  | { t: 'emit'; ev: Forwarded }
  /** One event, and which tab subscriptions it is for; `cursor` is the hub's resume cursor after it. */
  | { t: 'event'; event: HubcastEvent; routes: { tab: string; ids: number[] }[]; cursor?: string }
  | { t: 'sub-live'; ids: number[]; ctx: SubscribedContext }
  | { t: 'sub-waiting'; ids: number[]; reason: string }
  | { t: 'sub-ended'; ids: number[]; reason: string; error?: WireError }
  | { t: 'presence'; ids: number[]; kind: 'join' | 'leave'; ctx: PresenceChangeContext }
  | { t: 'result'; id: number; value?: JsonValue; error?: WireError }
  | { t: 'token-request'; id: number }
  /** The hub serves another user: the tab stays off this hub (see `connectShared`'s `user`). */
  | { t: 'refused'; error: WireError }
);

export function toWireError(cause: unknown): WireError {
  if (cause instanceof HubcastError) return { code: cause.code, message: cause.message };
  const message = cause instanceof Error ? cause.message : String(cause);
  return { code: 'internal', message };
}

export function fromWireError(error: WireError): HubcastError {
  return new HubcastError(error.code, error.message);
}
