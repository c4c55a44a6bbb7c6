/**
 * `connectShared`: one socket for all tabs of an origin. Picks a SharedWorker where there is
 * one, else leader election over Web Locks and BroadcastChannel, else (Node, old browsers) a
 * plain client per tab; says which it picked.
 */
import { badRequest } from '@hubcast/protocol';
import { HubcastClient } from '../client.js';
import { randomKey } from '../idempotency-key.js';
import { resolveClientOptions, type ClientOptions } from '../options.js';
import type { WebSocketConstructor } from '../transport.js';
import type { HubcastConnection } from './hubcast-connection.js';
import { joinElection } from './leader.js';
import { holdTabLock, platformLocks, type LockManagerLike } from './locks.js';
import type { FromHub, WireOptions } from './messages.js';
import { SharedConnection } from './tab-connection.js';

/** How the connection is shared: by a SharedWorker, by the leader tab, or not at all. */
export type SharedMode = 'shared-worker' | 'leader' | 'per-tab';

export interface SharedOptions extends ClientOptions {
  /** `auto` (default) picks the first the platform supports, in the order of `SharedMode`. */
  mode?: 'auto' | SharedMode;
  /**
   * Who is logged in (any stable id of the app's own). Only tabs of the same user share a
   * connection: another user's tab on the origin gets its own.
   */
  user: string;
  /** Tabs of one user with the same name share a connection (default: the url). */
  name?: string;
  /** The worker module; default the one shipped in `dist/worker/shared/worker-main.js`. */
  workerUrl?: string | URL;
  /**
   * Makes the SharedWorker, for bundlers that must see the worker to bundle it (a production
   * build moves files, so `workerUrl`'s default is not there). Pass `name` on: it keeps
   * users and connections apart. With Vite:
   * `import HubcastWorker from '@hubcast/client/shared-worker?sharedworker'`, then
   * `createWorker: (name) => new HubcastWorker({ name })`. Overrides `workerUrl`.
   */
  createWorker?: (name: string) => SharedWorkerLike;
  /** Keep the cursor in sessionStorage, so a reloaded tab resumes (default true). */
  persistCursor?: boolean;
}

export interface SharedHandle {
  connection: HubcastConnection;
  /** `shared-worker` becomes `leader` when the worker script cannot be loaded. */
  readonly mode: SharedMode;
  /** This tab runs the socket (leader mode; always in per-tab mode, never with a worker). */
  readonly leader: boolean;
  /** Leaves the shared connection for good (the tab's subscriptions end; the tab's lock goes). */
  close(): void;
}

/** What `connectShared` uses of a SharedWorker. */
export interface SharedWorkerLike {
  /** Its port, typed without the DOM lib so Node projects type-check the SDK too. */
  port: {
    postMessage(message: unknown): void;
    onmessage: ((event: never) => unknown) | null;
    start(): void;
    close(): void;
  };
  /** Typed loosely so the DOM's `SharedWorker` (an `ErrorEvent` handler) fits. */
  onerror: ((event: never) => unknown) | null;
}

interface Platform {
  SharedWorker?: new (
    url: string | URL,
    options: { type: 'module'; name: string },
  ) => SharedWorkerLike;
  BroadcastChannel?: unknown;
  addEventListener?: (type: string, listener: () => void) => void;
}

/** The modes this platform can run, best first. */
export function availableModes(): SharedMode[] {
  const g = globalThis as Platform;
  const locks = platformLocks() !== undefined;
  const modes: SharedMode[] = [];
  if (typeof g.SharedWorker === 'function' && locks) modes.push('shared-worker');
  if (typeof g.BroadcastChannel === 'function' && locks) modes.push('leader');
  modes.push('per-tab');
  return modes;
}

/** Creates the connection (call `connect()` on it, as on a `HubcastClient`). */
export function connectShared(options: SharedOptions): SharedHandle {
  const {
    mode: wanted = 'auto',
    user,
    name,
    workerUrl,
    createWorker,
    persistCursor = true,
    ...clientOptions
  } = options;
  if (typeof user !== 'string' || user === '')
    throw badRequest(`'user' must be a non-empty string (who is logged in to this tab)`);
  const available = availableModes();
  if (wanted !== 'auto' && !available.includes(wanted))
    throw badRequest(`'mode' ${wanted} is not available here (${available.join(', ')} are)`);
  const mode = wanted === 'auto' ? available[0]! : wanted;
  if (mode === 'per-tab') {
    const client = new HubcastClient(clientOptions);
    return { connection: client, mode, leader: true, close: () => client.disconnect() };
  }
  // Checked here, in the tab, so a bad option throws to the caller instead of in the hub.
  const placeholder = (() => undefined) as unknown as WebSocketConstructor;
  resolveClientOptions({ ...clientOptions, WebSocket: clientOptions.WebSocket ?? placeholder });
  // The user is in every name the tabs meet under (worker, locks, channels, cursor key), so
  // tabs of different users never reach one hub; the hub also refuses another user's hello.
  const scope = `${name ?? clientOptions.url}|${user}`;
  const tab = randomKey();
  const conn = new SharedConnection({
    tab,
    user,
    wire: wireOptions(clientOptions),
    token: clientOptions.token,
    getToken: clientOptions.getToken,
    cursorKey: persistCursor ? `hubcast:cursor:${scope}` : undefined,
    cursor: clientOptions.cursor,
  });
  const stop = new AbortController();
  const locks = platformLocks() as LockManagerLike;
  const g = globalThis as Platform;
  let leading = false;
  let current = mode;
  const elect = (): void =>
    joinElection(conn, {
      name: scope,
      locks,
      signal: stop.signal,
      onLeader: () => (leading = true),
      ...(clientOptions.WebSocket === undefined ? {} : { WebSocket: clientOptions.WebSocket }),
    });
  // The tab's lock is held before the hub hears of the tab, or the hub would see it gone.
  void holdTabLock(locks, tab, stop.signal).then(() => {
    if (stop.signal.aborted) return;
    if (mode === 'leader') return elect();
    const url = workerUrl ?? new URL('../worker/shared/worker-main.js', import.meta.url);
    const workerName = `hubcast:${scope}`;
    let worker: SharedWorkerLike;
    try {
      worker =
        createWorker?.(workerName) ??
        new g.SharedWorker!(url, { type: 'module', name: workerName });
    } catch {
      // Refused outright (a URL of another origin, a data: URL from a bundler): lead instead.
      current = 'leader';
      return elect();
    }
    let heard = false;
    // A tab that joined the same broken worker may get no `error` of its own: the first tab
    // to see one tells the others, and silence past the command timeout counts as one too.
    const notice =
      typeof g.BroadcastChannel === 'function'
        ? new BroadcastChannel(`hubcast:${scope}:no-worker`)
        : undefined;
    const silence = setTimeout(() => fallBack(false), clientOptions.commandTimeoutMs ?? 10_000);
    const fallBack = (tell: boolean): void => {
      clearTimeout(silence);
      if (heard || current === 'leader') return;
      if (notice === undefined)
        return conn.failLink(
          createWorker === undefined
            ? `the shared worker at ${String(url)} failed to load (see workerUrl)`
            : 'the shared worker from createWorker failed to load',
        );
      if (tell) notice.postMessage(String(url));
      notice.close();
      // Never started (not served, or a bundler moved it): lead from a tab instead.
      worker.port.close();
      current = 'leader';
      elect();
    };
    stop.signal.addEventListener('abort', () => clearTimeout(silence));
    if (notice !== undefined) notice.onmessage = () => fallBack(false);
    worker.onerror = () => fallBack(true);
    worker.port.onmessage = (ev: MessageEvent<FromHub>) => {
      if (!heard) {
        heard = true;
        clearTimeout(silence);
        notice?.close();
      }
      conn.receive(ev.data);
    };
    worker.port.start();
    conn.attach({ send: (m) => worker.port.postMessage(m), close: () => worker.port.close() });
  });
  // Best effort, before the lock tells: a closing page leaves at once.
  g.addEventListener?.('pagehide', () => conn.close());
  return {
    connection: conn,
    get mode() {
      return current;
    },
    get leader() {
      return leading;
    },
    close: () => {
      conn.close();
      stop.abort();
    },
  };
}

function wireOptions(o: ClientOptions): WireOptions {
  const wire: WireOptions = { url: o.url };
  if (o.client !== undefined) wire.client = { ...o.client };
  if (o.echo !== undefined) wire.echo = o.echo;
  if (o.minReconnectDelayMs !== undefined) wire.minReconnectDelayMs = o.minReconnectDelayMs;
  if (o.maxReconnectDelayMs !== undefined) wire.maxReconnectDelayMs = o.maxReconnectDelayMs;
  if (o.offlineQueueSize !== undefined) wire.offlineQueueSize = o.offlineQueueSize;
  if (o.commandTimeoutMs !== undefined) wire.commandTimeoutMs = o.commandTimeoutMs;
  if (o.refreshMarginSeconds !== undefined) wire.refreshMarginSeconds = o.refreshMarginSeconds;
  if (o.maxMessageBytes !== undefined) wire.maxMessageBytes = o.maxMessageBytes;
  return wire;
}
