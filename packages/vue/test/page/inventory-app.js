// The 5,000-row inventory page of the browser proof: a Pinia live store fed by a real node,
// a render counter per row, and the connection state. `window.__TEST__` (set by the test
// before the page loads) says where the node is and which token to use.
import { createApp, defineComponent, h, nextTick } from 'vue';
import { createPinia } from 'pinia';
import { createHubcast, defineLiveStore, useConnectionState } from '@hubcast/vue';

const { wsUrl, token } = window.__TEST__;

/** Renders per row since the last reset, by sku; and of the list itself. */
const renders = new Map();
let listRenders = 0;
window.__renders = () => ({ rows: Object.fromEntries(renders), list: listRenders });
window.__resetRenders = () => {
  renders.clear();
  listRenders = 0;
};
window.__flush = () => nextTick();
const states = [];
window.__states = () => [...states];

const useInventory = defineLiveStore('inventory', {
  channel: 'inventory.>',
  key: (row) => row.sku,
  load: async ({ signal }) => {
    const res = await fetch('/api/inventory', { signal });
    return res.json();
  },
  map: (event) => {
    const data = event.data;
    switch (data.type) {
      case 'INVENTORY_UPDATE':
        return { op: 'patch', key: data.sku, patch: { qty: data.qty } };
      case 'INVENTORY_ADD':
        return { op: 'upsert', item: data.row };
      case 'INVENTORY_REMOVE':
        return { op: 'delete', key: data.sku };
      default:
        return undefined;
    }
  },
});

const Row = defineComponent({
  props: { item: { type: Object, required: true } },
  setup(props) {
    return () => {
      const { sku, qty } = props.item;
      renders.set(sku, (renders.get(sku) ?? 0) + 1);
      return h('tr', { 'data-sku': sku }, [h('td', sku), h('td', { class: 'qty' }, String(qty))]);
    };
  },
});

const App = defineComponent({
  setup() {
    const store = useInventory();
    const connection = useConnectionState();
    return () => {
      listRenders++;
      return h('div', [
        h('p', [
          h('span', { 'data-testid': 'state' }, connection.state.value),
          ' ',
          h('span', { 'data-testid': 'attempt' }, String(connection.reconnectAttempt.value)),
          ' ',
          h('span', { 'data-testid': 'error' }, connection.lastError.value?.code ?? ''),
          ' ',
          h('span', { 'data-testid': 'status' }, store.status),
          ' ',
          h('span', { 'data-testid': 'live' }, String(store.isLive)),
          ' ',
          h('span', { 'data-testid': 'size' }, String(store.items.size)),
          ' ',
          h(
            'button',
            { 'data-testid': 'reconnect', onClick: () => void client.connect() },
            'reconnect',
          ),
        ]),
        h(
          'table',
          h(
            'tbody',
            [...store.items.values()].map((item) => h(Row, { key: item.sku, item })),
          ),
        ),
      ]);
    };
  },
});

// The state strip and the table are one component here on purpose: a connection change
// re-renders the list component, and the rows must still not render again.
const hubcast = createHubcast({
  url: wsUrl,
  token,
  minReconnectDelayMs: 20,
  maxReconnectDelayMs: 200,
});
const client = hubcast.client;
client.on('state', (ctx) => states.push(ctx.to));
createApp(App).use(createPinia()).use(hubcast).mount('#app');
