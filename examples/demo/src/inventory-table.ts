/**
 * The live dashboard: 5,000 rows from the live store. Each row reads only its own reactive
 * item, so an update renders that one row; the flash is a Web Animation of the row's overlay,
 * so flashing costs no extra render and no layout.
 */
import { defineComponent, h, onBeforeUnmount, onMounted, ref, watch, type PropType } from 'vue';
import { useInventory, type InventoryRow } from './inventory-store.js';
import { countRender } from './render-counts.js';

/** The flash: a Web Animation, so restarting it forces no layout of the 5,000-row table. */
const FLASH: Keyframe[] = [{ opacity: 1 }, { opacity: 0 }];
const FLASH_TIMING: KeyframeAnimationOptions = {
  duration: 1000,
  easing: 'ease-out',
  pseudoElement: '::before',
};

const Row = defineComponent({
  name: 'InventoryRowView',
  props: { item: { type: Object as PropType<InventoryRow>, required: true } },
  setup(props) {
    const el = ref<HTMLTableRowElement>();
    let flashes = 0;
    let flash: Animation | undefined;
    watch(
      () => props.item.version,
      () => {
        const row = el.value;
        if (row === undefined) return;
        flashes += 1;
        row.dataset['flashes'] = String(flashes);
        // Restarting a CSS animation needs a forced reflow (`offsetWidth`), and a reflow of a
        // 5,000-row table costs tens of milliseconds: at 200 updates/s that alone filled the
        // main thread. A Web Animation restarts without touching layout.
        if (flash === undefined) flash = row.animate(FLASH, FLASH_TIMING);
        else {
          flash.currentTime = 0;
          flash.play();
        }
      },
      { flush: 'post' },
    );
    onBeforeUnmount(() => flash?.cancel());
    return () => {
      const { sku, name, qty } = props.item;
      countRender(sku);
      return h('tr', { ref: el, 'data-sku': sku }, [
        h('td', sku),
        h('td', name),
        h('td', { class: qty < 20 ? 'qty low' : 'qty' }, String(qty)),
      ]);
    };
  },
});

/** The simulator's rate control: updates per second published by the demo's server. */
const RateControl = defineComponent({
  name: 'RateControl',
  setup() {
    const rate = ref<number>();
    const error = ref<string>();
    const apply = async (value: number): Promise<void> => {
      const res = await fetch('/demo/simulator', {
        method: value < 0 ? 'GET' : 'POST',
        ...(value < 0
          ? {}
          : {
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ rate: value }),
            }),
      });
      const body = (await res.json()) as { rate?: number; error?: { message: string } };
      error.value = body.error?.message;
      if (body.rate !== undefined) rate.value = body.rate;
    };
    onMounted(() => void apply(-1));
    return () =>
      h('label', { class: 'rate' }, [
        'simulator updates/s ',
        h('input', {
          type: 'number',
          min: 0,
          max: 1000,
          value: rate.value,
          'data-testid': 'rate',
          onChange: (e: Event) => void apply(Number((e.target as HTMLInputElement).value)),
        }),
        error.value === undefined ? null : h('span', { class: 'error' }, ` ${error.value}`),
      ]);
  },
});

export const InventoryTable = defineComponent({
  name: 'InventoryTable',
  setup() {
    const inventory = useInventory();
    return () =>
      h('section', { class: 'inventory' }, [
        h('header', [
          h('h2', 'Inventory'),
          h('span', { 'data-testid': 'inventory-status' }, inventory.status),
          h('span', { 'data-testid': 'inventory-size' }, ` ${inventory.size} rows`),
          inventory.isLive ? null : h('span', { class: 'stale' }, ' (stale)'),
          inventory.error === undefined
            ? null
            : h('span', { class: 'error' }, inventory.error.message),
          h(RateControl),
        ]),
        h('div', { class: 'scroll' }, [
          h('table', [
            h('thead', h('tr', [h('th', 'SKU'), h('th', 'Name'), h('th', 'Qty')])),
            h(
              'tbody',
              inventory.list.map((item) => h(Row, { key: item.sku, item })),
            ),
          ]),
        ]),
      ]);
  },
});
