/**
 * Leader election for browsers without SharedWorker: every tab queues for one Web Lock, the
 * holder runs the hub (and so the socket) until it closes, when the browser grants the lock
 * to the next tab. Tabs and the hub talk over a BroadcastChannel; the leader's own tab talks
 * to its hub through a second channel object, so it is a tab like the others.
 */
import { randomKey } from '../idempotency-key.js';
import type { WebSocketConstructor } from '../transport.js';
import { Hub } from './hub.js';
import { watchTabLock, type LockManagerLike } from './locks.js';
import type { FromHub, ToHub } from './messages.js';
import type { SharedConnection } from './tab-connection.js';

type Envelope = { dir: 'up'; m: ToHub } | { dir: 'down'; m: FromHub };

export interface LeaderOptions {
  name: string;
  locks: LockManagerLike;
  signal: AbortSignal;
  WebSocket?: WebSocketConstructor;
  /** Called with `true` when this tab becomes the leader. */
  onLeader?: () => void;
}

const envelope = (data: unknown): Envelope | undefined =>
  typeof data === 'object' && data !== null && 'dir' in data && 'm' in data
    ? (data as Envelope)
    : undefined;

/** Links the tab to whichever tab leads, and queues it for the lead. */
export function joinElection(conn: SharedConnection, options: LeaderOptions): void {
  const { name, locks, signal } = options;
  const channelName = `hubcast:${name}`;
  const tabChannel = new BroadcastChannel(channelName);
  tabChannel.onmessage = (ev: MessageEvent<unknown>) => {
    const e = envelope(ev.data);
    if (e?.dir === 'down') conn.receive(e.m);
  };
  conn.attach({
    send: (m) => tabChannel.postMessage({ dir: 'up', m } satisfies Envelope),
    close: () => tabChannel.close(),
  });
  signal.addEventListener('abort', () => tabChannel.close());
  const lead = (): Promise<void> =>
    new Promise((release) => {
      const hubChannel = new BroadcastChannel(channelName);
      // The cursor this tab last saw from the old leader: the new socket resumes from it.
      const cursor = conn.cursor;
      const hub = new Hub({
        id: randomKey(),
        user: conn.user,
        ...(cursor === undefined ? {} : { cursor }),
        ...(options.WebSocket === undefined ? {} : { WebSocket: options.WebSocket }),
        post: (m) => hubChannel.postMessage({ dir: 'down', m } satisfies Envelope),
        watchTab: (tab, gone) => watchTabLock(locks, tab, signal, gone),
      });
      hubChannel.onmessage = (ev: MessageEvent<unknown>) => {
        const e = envelope(ev.data);
        if (e?.dir === 'up') hub.handle(e.m);
      };
      const stop = (): void => {
        hub.dispose();
        hubChannel.close();
        release();
      };
      if (signal.aborted) return stop();
      signal.addEventListener('abort', stop);
      options.onLeader?.();
      hub.announce();
    });
  locks.request(`hubcast:${name}:leader`, { signal }, lead).catch(() => undefined);
}
