/**
 * The composables and defineLiveStore in Node against a real node: each runs in an effect
 * scope inside a Vue app that has the plugin, and each must let go of its subscription when
 * the scope is disposed. (The render proof is live-store.browser.test.ts.)
 */
import WebSocket from 'ws';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createApp,
  effectScope,
  watch,
  watchEffect,
  type EffectScope,
  type WatchSource,
} from 'vue';
import {
  HubcastClient,
  ServerClient,
  connectShared,
  type HubcastConnection,
} from '@hubcast/client';
import { startTestNode, type TestNode } from '../../server/test/helpers/test-node.js';
import {
  createHubcast,
  defineLiveStore,
  useChannel,
  useChat,
  useConnectionState,
  useHubcast,
  useNotifications,
  usePresence,
} from '../src/index.js';

const ORG = 'acme';
let tn: TestNode;
let api: ServerClient;
const clients: HubcastClient[] = [];
const scopes: EffectScope[] = [];

async function makeClient(user: string): Promise<HubcastClient> {
  const client = new HubcastClient({
    url: tn.wsUrl,
    token: await tn.token({ sub: user, org: ORG, publish: ['>'] }),
    WebSocket,
    minReconnectDelayMs: 20,
    maxReconnectDelayMs: 200,
  });
  clients.push(client);
  return client;
}

/** Runs `fn` in an effect scope of an app that has the plugin (and Pinia) installed. */
function inApp<T>(client: HubcastConnection, fn: () => T): { result: T; scope: EffectScope } {
  const pinia = createPinia();
  const app = createApp({ render: () => null })
    .use(pinia)
    .use(createHubcast({ client }));
  setActivePinia(pinia);
  const scope = effectScope();
  scopes.push(scope);
  const result = app.runWithContext(() => scope.run(fn)) as T;
  return { result, scope };
}

/** Resolves once `check(value)` holds for the watched source. */
function until<T>(source: WatchSource<T>, check: (value: T) => boolean, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`timed out waiting for ${what}`));
    }, 10_000);
    const stop = watch(
      source,
      (value) => {
        if (!check(value)) return;
        clearTimeout(timer);
        queueMicrotask(() => stop());
        resolve(value);
      },
      { immediate: true, flush: 'sync' },
    );
  });
}

beforeEach(async () => {
  tn = await startTestNode({ presenceLeaveDelay: 0 }); // a leave at once, not after the grace
  api = new ServerClient({ url: tn.httpUrl, apiKey: tn.adminKey, org: ORG });
});
afterEach(async () => {
  for (const scope of scopes.splice(0)) scope.stop();
  for (const client of clients.splice(0)) client.disconnect();
  await tn.stop();
});

describe('composables', () => {
  it('createHubcast takes any HubcastConnection: connectShared per tab, or one not a HubcastClient', async () => {
    const handle = connectShared({
      mode: 'per-tab',
      user: 'alice',
      url: tn.wsUrl,
      token: await tn.token({ sub: 'alice', org: ORG }),
      WebSocket,
    });
    const shared: HubcastConnection = handle.connection;
    const { result: c } = inApp(shared, () => useConnectionState());
    await shared.connect();
    expect(c.session.value?.user).toBe('alice');
    // A connection that is no HubcastClient instance (as SharedConnection is not) is used as is.
    const wrapped: HubcastConnection = {
      get state() {
        return shared.state;
      },
      get cursor() {
        return shared.cursor;
      },
      get session() {
        return shared.session;
      },
      get notifications() {
        return shared.notifications;
      },
      connect: () => shared.connect(),
      disconnect: () => shared.disconnect(),
      subscribe: shared.subscribe.bind(shared),
      publish: shared.publish.bind(shared),
      publishEphemeral: shared.publishEphemeral.bind(shared),
      history: shared.history.bind(shared),
      presence: shared.presence.bind(shared),
      rpc: shared.rpc.bind(shared),
      ping: shared.ping.bind(shared),
      on: shared.on.bind(shared),
      once: shared.once.bind(shared),
      off: shared.off.bind(shared),
    };
    const { result: got } = inApp(wrapped, () => useHubcast());
    expect(got).toBe(wrapped);
    handle.close();
    await until(c.state, (st) => st === 'disconnected', 'disconnected');
  });

  it('useConnectionState shows connect, a server disconnect with its error, and stops on dispose', async () => {
    const client = await makeClient('alice');
    const { result: c, scope } = inApp(client, () => useConnectionState());
    expect(c.state.value).toBe('disconnected');
    await client.connect();
    expect(c.isConnected.value).toBe(true);
    expect(c.session.value?.user).toBe('alice');
    await api.disconnect({ user: 'alice' });
    await until(c.state, (s) => s === 'disconnected', 'disconnected');
    expect(c.lastError.value?.code).toBe('forbidden');
    expect(c.willReconnect.value).toBe(false);
    expect(c.lastDisconnect.value?.code).toBe(4502);
    scope.stop();
    await client.connect();
    expect(c.state.value).toBe('disconnected'); // no longer following
  });

  it('useChannel keeps the recent events and unsubscribes on dispose', async () => {
    const client = await makeClient('alice');
    await client.connect();
    const { result: ch, scope } = inApp(client, () => useChannel('news.>', { limit: 2 }));
    await until(ch.state, (s) => s === 'subscribed', 'subscribed');
    for (const n of [1, 2, 3]) await api.publish({ channel: 'news.a', data: n });
    await until(ch.last, (e) => e?.data === 3, 'the third event');
    expect(ch.events.value.map((e) => e.data)).toEqual([2, 3]);
    expect((await api.stats()).subscriptions).toBe(1);
    scope.stop();
    await client.ping(); // the unsubscribe went first
    expect((await api.stats()).subscriptions).toBe(0);
  });

  it('usePresence counts members as they join and leave', async () => {
    const alice = await makeClient('alice');
    const bob = await makeClient('bob');
    await alice.connect();
    const { result: p } = inApp(alice, () => usePresence('lobby'));
    await until(p.status, (s) => s === 'ready', 'loaded');
    expect(p.members.value.map((m) => m.user)).toEqual(['alice']);
    await bob.connect();
    const sub = bob.subscribe('lobby', () => undefined, { presence: true });
    await until(p.count, (n) => n === 2, 'bob joined');
    expect(p.members.value.map((m) => m.user)).toEqual(['alice', 'bob']);
    sub.unsubscribe();
    await until(p.count, (n) => n === 1, 'bob left');
  });

  it('useNotifications shows the live unread count', async () => {
    const client = await makeClient('alice');
    await client.connect();
    const { result: n } = inApp(client, () => useNotifications());
    await until(n.unread, (u) => u === 0, 'the first count');
    await api.notify({ users: ['alice'], notification: { kind: 'k', title: 'hello' } });
    await until(n.unread, (u) => u === 1, 'one unread');
    expect(n.received.value.map((x) => x.title)).toEqual(['hello']);
  });

  it('useChat shows messages sent to the room', async () => {
    const client = await makeClient('alice');
    await client.connect();
    await client.rpc('chat.createRoom', { room: 'general' });
    const { result: chat } = inApp(client, () => useChat('general'));
    await until(chat.status, (s) => s === 'ready', 'loaded');
    await chat.room.value.send('hi there');
    await until(chat.messages, (m) => m.length === 1, 'the message');
    expect(chat.messages.value[0]?.text).toBe('hi there');
  });
});

describe('defineLiveStore', () => {
  interface Row {
    sku: string;
    qty: number;
  }
  const rows: Row[] = Array.from({ length: 100 }, (_, i) => ({ sku: `s${i}`, qty: i }));

  it('changes one reactive item in place: only the effects reading it run again', async () => {
    const client = await makeClient('alice');
    await client.connect();
    const useStore = defineLiveStore('rows', {
      channel: 'rows.>',
      key: (r: Row) => r.sku,
      load: () => Promise.resolve(rows),
      map: (e) => {
        const d = e.data as { sku: string; qty?: number };
        return d.qty === undefined
          ? { op: 'delete', key: d.sku }
          : { op: 'patch', key: d.sku, patch: { qty: d.qty } };
      },
    });
    const runs = new Map<string, number>();
    const { result: store } = inApp(client, () => {
      const s = useStore();
      return s;
    });
    await until(
      () => store.status,
      (s) => s === 'ready',
      'loaded',
    );
    expect(store.size).toBe(100);
    // One effect per row, as a row component's render would be.
    const rowScope = effectScope();
    scopes.push(rowScope);
    rowScope.run(() => {
      for (const item of store.items.values())
        watchEffect(
          () => {
            void item.qty;
            runs.set(item.sku, (runs.get(item.sku) ?? 0) + 1);
          },
          { flush: 'sync' },
        );
    });
    let listRuns = 0;
    rowScope.run(() => watchEffect(() => void (listRuns++, store.list.length), { flush: 'sync' }));
    runs.clear();
    listRuns = 0;

    await api.publish({ channel: 'rows.s7', data: { sku: 's7', qty: 700 } });
    await until(
      () => store.items.get('s7')?.qty,
      (q) => q === 700,
      'the update',
    );
    expect(Object.fromEntries(runs)).toEqual({ s7: 1 });
    expect(listRuns).toBe(0);

    await api.publish({ channel: 'rows.s8', data: { sku: 's8' } });
    await until(
      () => store.size,
      (n) => n === 99,
      'the delete',
    );
    expect(listRuns).toBe(1);
    store.$dispose();
    await client.ping();
    expect((await api.stats()).subscriptions).toBe(0);
  });
});
