/** The live inventory: the snapshot from `/demo/inventory`, then `inventory.*` events. */
import type { HubcastEvent } from '@hubcast/client';
import { defineLiveStore } from '@hubcast/vue';

export interface InventoryRow {
  sku: string;
  name: string;
  qty: number;
  version: number;
}

interface InventoryUpdate {
  type: 'INVENTORY_UPDATE';
  sku: string;
  qty: number;
  version: number;
}

function isUpdate(data: unknown): data is InventoryUpdate {
  const d = data as Partial<InventoryUpdate> | null;
  return (
    typeof d === 'object' &&
    d !== null &&
    d.type === 'INVENTORY_UPDATE' &&
    typeof d.sku === 'string' &&
    typeof d.qty === 'number' &&
    typeof d.version === 'number'
  );
}

export const useInventory = defineLiveStore('inventory', {
  channel: 'inventory.*',
  key: (row: InventoryRow) => row.sku,
  version: (row: InventoryRow) => row.version,
  load: async ({ signal }) => {
    const res = await fetch('/demo/inventory', { signal });
    if (!res.ok) throw new Error(`/demo/inventory answered ${res.status}`);
    return (await res.json()) as InventoryRow[];
  },
  map: (event: HubcastEvent) => {
    if (!isUpdate(event.data)) return undefined;
    const { sku, qty, version } = event.data;
    return { op: 'patch', key: sku, patch: { qty, version } };
  },
});
