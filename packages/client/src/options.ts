import { badRequest, type ClientInfo } from '@hubcast/protocol';
import { platformWebSocket, type WebSocketConstructor } from './transport.js';

export interface ClientOptions {
  /** `ws://host:port/ws` or `wss://…`. The token never goes in it (docs/protocol.md §3). */
  url: string;
  /** A fixed token. With `getToken` too, it is used first. */
  token?: string;
  /** Supplies tokens: on first connect (without `token`), before expiry, and after a 4501. */
  getToken?: () => string | Promise<string>;
  /** WebSocket class; default `globalThis.WebSocket`. In Node 20 pass the `ws` package's. */
  WebSocket?: WebSocketConstructor;
  /** Sent in `connect`; `device` shows in presence. */
  client?: ClientInfo;
  /**
   * Resume from here on the first connect: a `client.cursor` an earlier client stored (a
   * reloaded page). Missed events are replayed before live ones, or `reset` is emitted when the
   * cursor fell out of retention (docs/protocol.md §2).
   */
  cursor?: string;
  /** `false` sends `echo: false` on each publish: the publisher's own connection skips it. */
  echo?: boolean;
  /** Backoff floor (default 500). */
  minReconnectDelayMs?: number;
  /** Backoff ceiling (default 20000). */
  maxReconnectDelayMs?: number;
  /** Publishes kept while offline (default 100); when full the OLDEST is rejected. */
  offlineQueueSize?: number;
  /** Reply timeout per command, also the handshake timeout (default 10000). */
  commandTimeoutMs?: number;
  /** Refresh this long before `expires_at` (default min(30, 10% of the token lifetime)). */
  refreshMarginSeconds?: number;
  /** The server's `max-message-bytes` (default 65536): frames are cut to it, bigger messages refused. */
  maxMessageBytes?: number;
}

/** @internal */
export interface ResolvedClientOptions {
  url: string;
  token: string | undefined;
  getToken: (() => string | Promise<string>) | undefined;
  WebSocket: WebSocketConstructor;
  client: ClientInfo | undefined;
  cursor: string | undefined;
  echo: boolean;
  minReconnectDelayMs: number;
  maxReconnectDelayMs: number;
  offlineQueueSize: number;
  commandTimeoutMs: number;
  refreshMarginSeconds: number | undefined;
  maxMessageBytes: number;
}

export const CLIENT_DEFAULTS = {
  echo: true,
  minReconnectDelayMs: 500,
  maxReconnectDelayMs: 20_000,
  offlineQueueSize: 100,
  commandTimeoutMs: 10_000,
  maxMessageBytes: 65_536,
} as const;

/**
 * Validates options once, at construction; errors name the option, never its value.
 * Internal like its result type: `stripInternal` would leave a declaration naming a type it
 * removed, and a user's `tsc` without `skipLibCheck` would fail on it.
 * @internal
 */
export function resolveClientOptions(options: ClientOptions): ResolvedClientOptions {
  if (typeof options.url !== 'string' || !/^wss?:\/\//i.test(options.url))
    throw badRequest("'url' must be a ws:// or wss:// URL");
  if (options.token === undefined && options.getToken === undefined)
    throw badRequest("either 'token' or 'getToken' is required");
  if (options.token !== undefined && (typeof options.token !== 'string' || options.token === ''))
    throw badRequest("'token' must be a non-empty string");
  if (options.cursor !== undefined && (typeof options.cursor !== 'string' || options.cursor === ''))
    throw badRequest("'cursor' must be a non-empty string");
  const WebSocket = options.WebSocket ?? platformWebSocket();
  if (WebSocket === undefined)
    throw badRequest(
      "no WebSocket on this platform: pass the 'WebSocket' option (in Node, the ws package)",
    );
  const min = nonNegative(options, 'minReconnectDelayMs', CLIENT_DEFAULTS.minReconnectDelayMs);
  const max = nonNegative(options, 'maxReconnectDelayMs', CLIENT_DEFAULTS.maxReconnectDelayMs);
  if (max < min)
    throw badRequest("'maxReconnectDelayMs' must not be less than 'minReconnectDelayMs'");
  const commandTimeoutMs = nonNegative(
    options,
    'commandTimeoutMs',
    CLIENT_DEFAULTS.commandTimeoutMs,
  );
  if (commandTimeoutMs === 0) throw badRequest("'commandTimeoutMs' must be positive");
  return {
    url: options.url,
    token: options.token,
    getToken: options.getToken,
    WebSocket,
    client: options.client,
    cursor: options.cursor,
    echo: options.echo ?? CLIENT_DEFAULTS.echo,
    minReconnectDelayMs: min,
    maxReconnectDelayMs: max,
    offlineQueueSize: Math.floor(
      nonNegative(options, 'offlineQueueSize', CLIENT_DEFAULTS.offlineQueueSize),
    ),
    commandTimeoutMs,
    refreshMarginSeconds:
      options.refreshMarginSeconds === undefined
        ? undefined
        : nonNegative(options, 'refreshMarginSeconds', 0),
    maxMessageBytes: nonNegative(options, 'maxMessageBytes', CLIENT_DEFAULTS.maxMessageBytes),
  };
}

type NumericOption =
  | 'minReconnectDelayMs'
  | 'maxReconnectDelayMs'
  | 'offlineQueueSize'
  | 'commandTimeoutMs'
  | 'refreshMarginSeconds'
  | 'maxMessageBytes';

function nonNegative(options: ClientOptions, key: NumericOption, fallback: number): number {
  const v = options[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    throw badRequest(`'${key}' must be a non-negative number`);
  return v;
}
