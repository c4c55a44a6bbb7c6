// The browser proof's page, bundled by the test with esbuild (React's development build, so
// StrictMode doubles every effect): a status strip, a 5,000-row table from useLiveCollection
// with memoized rows on useLiveItem, and a feed on useChannel that the test mounts, moves and
// unmounts. `window.__TEST__` (set before load) says where the node is.
import {
  HubcastProvider,
  useChannel,
  useChat,
  useConnectionState,
  useHubcast,
  useLiveCollection,
  useLiveItem,
  useNotifications,
  usePresence,
} from '@hubcast/react';
import type { HubcastEvent, ItemKey, LiveCollection } from '@hubcast/client';
import {
  StrictMode,
  createElement as h,
  memo,
  useEffect,
  useLayoutEffect,
  useState,
  type ReactNode,
} from 'react';
import { createRoot } from 'react-dom/client';

interface Row {
  sku: string;
  qty: number;
}
interface Controls {
  table: boolean;
  feed: string | undefined;
  /** Mounts presence, the inbox and a chat room. */
  extras: boolean;
}
interface InventoryEvent {
  type: string;
  sku: string;
  qty: number;
  row: Row;
}

const test = (window as unknown as { __TEST__: { wsUrl: string; token: string } }).__TEST__;
/** Committed renders per row (a layout effect runs once per commit, StrictMode or not). */
const commits = new Map<string, number>();
/** Calls of each row's function (StrictMode calls it twice per render). */
const calls = new Map<string, number>();
/** The `n` of every event the feed's handler got, in order. */
const handled: number[] = [];
let setControls: (change: Partial<Controls>) => void = () => undefined;
Object.assign(window, {
  __renders: () => ({ commits: Object.fromEntries(commits), calls: Object.fromEntries(calls) }),
  __resetRenders: () => {
    commits.clear();
    calls.clear();
  },
  __handled: () => [...handled],
  __control: (change: Partial<Controls>) => setControls(change),
});

const bump = (map: Map<string, number>, key: string): void => {
  map.set(key, (map.get(key) ?? 0) + 1);
};

const RowView = memo(function RowView(props: { collection: LiveCollection<Row>; sku: ItemKey }) {
  const item = useLiveItem(props.collection, props.sku);
  const sku = String(props.sku);
  bump(calls, sku);
  useLayoutEffect(() => bump(commits, sku));
  return h('tr', { 'data-sku': sku }, h('td', null, sku), h('td', { className: 'qty' }, item?.qty));
});

function Table(): ReactNode {
  const inventory = useLiveCollection<Row>({
    channel: 'inventory.>',
    key: (row) => row.sku,
    load: async ({ signal }) =>
      (await fetch('/api/inventory', { signal })).json() as Promise<Row[]>,
    map: (event) => {
      const data = event.data as unknown as InventoryEvent;
      if (data.type === 'INVENTORY_UPDATE')
        return { op: 'patch', key: data.sku, patch: { qty: data.qty } };
      if (data.type === 'INVENTORY_ADD') return { op: 'upsert', item: data.row };
      if (data.type === 'INVENTORY_REMOVE') return { op: 'delete', key: data.sku };
      return undefined;
    },
  });
  return h(
    'section',
    null,
    h('span', { 'data-testid': 'status' }, inventory.status),
    h('span', { 'data-testid': 'live' }, String(inventory.isLive)),
    h('span', { 'data-testid': 'size' }, String(inventory.keys.length)),
    h(
      'table',
      null,
      h(
        'tbody',
        null,
        inventory.keys.map((sku) =>
          h(RowView, { key: sku, collection: inventory.collection, sku }),
        ),
      ),
    ),
  );
}

function Feed(props: { pattern: string }): ReactNode {
  const feed = useChannel(props.pattern, (event: HubcastEvent) => {
    handled.push((event.data as { n: number }).n);
  });
  return h(
    'p',
    null,
    h('span', { 'data-testid': 'feed-state' }, `${props.pattern} ${feed.state}`),
    h('span', { 'data-testid': 'feed-count' }, String(feed.events.length)),
  );
}

function Status(): ReactNode {
  const connection = useHubcast();
  const state = useConnectionState();
  return h(
    'p',
    null,
    h('span', { 'data-testid': 'state' }, state.state),
    h('span', { 'data-testid': 'error' }, state.lastError?.code ?? ''),
    h('span', { 'data-testid': 'will-reconnect' }, String(state.willReconnect)),
    h('button', { 'data-testid': 'reconnect', onClick: () => void connection.connect() }, 'go'),
  );
}

function Extras(): ReactNode {
  const presence = usePresence('lobby');
  const inbox = useNotifications();
  const chat = useChat('general');
  return h(
    'aside',
    null,
    h(
      'span',
      { 'data-testid': 'presence' },
      `${presence.status} ${presence.members.map((m) => m.user).join(',')}`,
    ),
    h('span', { 'data-testid': 'unread' }, String(inbox.unread)),
    h('span', { 'data-testid': 'received' }, inbox.received.map((n) => n.title).join(',')),
    h(
      'span',
      { 'data-testid': 'chat' },
      `${chat.status} ${chat.messages.map((m) => m.text).join(',')}`,
    ),
    h('button', { 'data-testid': 'send', onClick: () => void chat.room.send('hi there') }, 'send'),
  );
}

function App(): ReactNode {
  const [controls, set] = useState<Controls>({ table: true, feed: undefined, extras: false });
  const connection = useHubcast();
  useEffect(() => {
    setControls = (change) => set((old) => ({ ...old, ...change }));
    Object.assign(window, {
      __rpc: (method: string, params: never) => connection.rpc(method, params),
    });
  }, [connection]);
  return h(
    'main',
    null,
    h(Status),
    controls.feed === undefined ? null : h(Feed, { pattern: controls.feed }),
    controls.extras ? h(Extras) : null,
    controls.table ? h(Table) : null,
  );
}

const options = { url: test.wsUrl, token: test.token, minReconnectDelayMs: 20 };
const root = document.getElementById('app');
if (root === null) throw new Error('no #app');
createRoot(root).render(h(StrictMode, null, h(HubcastProvider, { options, children: h(App) })));
