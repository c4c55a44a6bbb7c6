/**
 * A scripted server for `client.notifications` tests: clients on a fake socket, the rpc and
 * subscribe frames they send, answers to them, and inbox events on `user.alice.notifications`.
 */
import { HubcastClient, type Notification, type Notifications } from '../../src/index.js';
import {
  fakeServer,
  flushMicrotasks,
  type FakeServer,
  type FakeSocket,
  type SentMessage,
} from './fake-server.js';
import { waitFor } from './wait-for.js';

/** The inbox channel of `alice`, the user the fake server's `connected` names. */
export const CHANNEL = 'user.alice.notifications';
export const TS = '2025-05-01T12:00:00.000Z';

/**
 * Runs microtasks until `check` holds: a reply travels through several awaits (settle, parse,
 * the tracker, the next frame's flush) before its effect shows. Never waits on a clock.
 */
export async function settled(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (check()) return;
    await Promise.resolve();
  }
  throw new Error(`never happened: ${what}`);
}

/** Runs many microtasks, before asserting that something did NOT happen (no clock involved). */
export async function drained(): Promise<void> {
  for (let i = 0; i < 100; i++) await Promise.resolve();
}

export function note(id: string, over: Partial<Notification> = {}): Notification {
  return { id, kind: 'mention', title: `title ${id}`, created_at: TS, ...over };
}

export const created = (n: Notification): object => ({
  type: 'notification.created',
  notification: n,
});
export const read = (...ids: string[]): object => ({ type: 'notification.read', ids });
export const READ_ALL = { type: 'notification.read_all' };

export interface InboxHarness {
  readonly server: FakeServer;
  /** A client on the fake server, with a 10 ms reconnect delay; disconnected by `dispose`. */
  makeClient(): HubcastClient;
  /** Opens the newest socket and answers its `connect`. */
  handshake(over?: Parameters<FakeSocket['acceptConnect']>[0]): Promise<void>;
  connected(client: HubcastClient): Promise<void>;
  /** What the client sent on the current socket, of `type` (and rpc `method`). */
  sentOf(type: string, method?: string): SentMessage[];
  /** The `n`th (1-based) rpc of `method` on the current socket, once it was sent. */
  rpcSent(method: string, n?: number): Promise<SentMessage>;
  reply(to: SentMessage, result: unknown): void;
  /** Confirms the helper's `subscribe` to the inbox channel. */
  confirmSubscribe(): Promise<void>;
  /** Pushes inbox events with these data, with fresh event ids and cursors. */
  pushInbox(...data: object[]): void;
  /** The cursor of the last inbox event pushed. */
  lastCursor(): string;
  /** A connected client whose helper is started and synced to `count`. */
  startedWith(count: number): Promise<{ client: HubcastClient; inbox: Notifications }>;
  dispose(): void;
}

export function inboxHarness(): InboxHarness {
  const server = fakeServer();
  const clients: HubcastClient[] = [];
  let eventSeq = 0;

  const h: InboxHarness = {
    server,
    makeClient() {
      const client = new HubcastClient({
        url: 'ws://fake/ws',
        token: 'tok-1',
        WebSocket: server.WebSocket,
        minReconnectDelayMs: 10,
        maxReconnectDelayMs: 10,
      });
      clients.push(client);
      return client;
    },
    async handshake(over = {}) {
      await flushMicrotasks();
      server.current().open();
      await flushMicrotasks();
      server.current().acceptConnect(over);
    },
    async connected(client) {
      const done = client.connect();
      await h.handshake();
      await done;
    },
    sentOf(type, method) {
      return server
        .current()
        .sent.filter((m) => m.type === type && (method === undefined || m.method === method));
    },
    async rpcSent(method, n = 1) {
      await settled(() => h.sentOf('rpc', method).length >= n, `rpc '${method}' #${n}`);
      const message = h.sentOf('rpc', method)[n - 1];
      if (message === undefined) throw new Error('unreachable');
      return message;
    },
    reply(to, result) {
      server.current().push({ type: 'result', id: to.id, result });
    },
    async confirmSubscribe() {
      const isInbox = (m: SentMessage): boolean => m.channel === CHANNEL;
      await settled(() => h.sentOf('subscribe').some(isInbox), 'inbox subscribe');
      const sub = h.sentOf('subscribe').find(isInbox);
      server
        .current()
        .push({ type: 'subscribed', id: sub?.id, channel: CHANNEL, cursor: 'head-0' });
    },
    pushInbox(...data) {
      server.current().push(
        ...data.map((d) => {
          eventSeq++;
          return {
            type: 'event',
            channel: CHANNEL,
            event_id: `ev${eventSeq}`,
            cursor: `c${eventSeq}`,
            ts: TS,
            data: d,
          };
        }),
      );
    },
    lastCursor: () => `c${eventSeq}`,
    async startedWith(count) {
      const client = h.makeClient();
      await h.connected(client);
      const inbox = client.notifications;
      inbox.start();
      await h.confirmSubscribe();
      const synced = waitFor(inbox, 'unread');
      h.reply(await h.rpcSent('notifications.unreadCount'), { count });
      await synced;
      return { client, inbox };
    },
    dispose() {
      for (const c of clients.splice(0)) c.disconnect();
    },
  };
  return h;
}
