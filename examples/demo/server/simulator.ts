/**
 * The demo's backend: the inventory it owns (served as the snapshot the live store loads
 * first), a simulator publishing `INVENTORY_UPDATE`s at a configurable rate, notifications to
 * a demo user, and workflow runs publishing their steps on `workflow.<id>.step`.
 */
import { ServerClient } from '@hubcast/client';

export interface InventoryRow {
  sku: string;
  name: string;
  qty: number;
  /** Bumped on every change, so the store can drop a change older than the row it holds. */
  version: number;
}

export const ROWS = 5000;
export const MAX_RATE = 1000;
export const DEV_ORG = 'dev';
export const DEV_USER = 'dev-user';
const TICK_MS = 100;
const MAX_ACTIVE_RUNS = 20;
export const WORKFLOW_STEPS = ['queued', 'fetch', 'transform', 'publish', 'done'] as const;
const STEP_INTERVAL_MS = 400;

export const skuOf = (i: number): string => `sku-${String(i).padStart(4, '0')}`;

export class Simulator {
  readonly rows = new Map<string, InventoryRow>();
  private rate = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private owed = 0;
  private activeRuns = 0;
  private readonly api: ServerClient;

  constructor(nodeUrl: string, apiKey: string, rate: number) {
    this.api = new ServerClient({ url: nodeUrl, apiKey, org: DEV_ORG });
    for (let i = 0; i < ROWS; i++)
      this.rows.set(skuOf(i), { sku: skuOf(i), name: `Item ${i}`, qty: 100, version: 0 });
    this.setRate(rate);
  }

  get updatesPerSecond(): number {
    return this.rate;
  }

  /** Updates per second, 0 stops; throws a RangeError past MAX_RATE. */
  setRate(rate: number): void {
    if (!Number.isInteger(rate) || rate < 0 || rate > MAX_RATE)
      throw new RangeError(`'rate' must be an integer from 0 to ${MAX_RATE}`);
    this.rate = rate;
    if (rate === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    } else this.timer ??= setInterval(() => void this.tick(), TICK_MS);
  }

  /** Changes one row and publishes the change (the test's and the UI's "update this row"). */
  async update(sku: string, qty: number): Promise<InventoryRow> {
    const row = this.rows.get(sku);
    if (row === undefined) throw new RangeError(`no row '${sku}'`);
    row.qty = qty;
    row.version += 1;
    await this.api.publish({ channel: `inventory.${sku}`, data: eventOf(row) });
    return row;
  }

  async notify(user: string, title: string): Promise<void> {
    await this.api.notify({ users: [user], notification: { kind: 'demo', title } });
  }

  /** Publishes the run's steps one by one; refuses past MAX_ACTIVE_RUNS runs at once. */
  startWorkflow(id: string): boolean {
    if (this.activeRuns >= MAX_ACTIVE_RUNS) return false;
    this.activeRuns += 1;
    let index = 0;
    const next = (): void => {
      const step = WORKFLOW_STEPS[index];
      if (step === undefined) {
        this.activeRuns -= 1;
        return;
      }
      const data = { run: id, index, step, at: new Date().toISOString() };
      this.api.publish({ channel: `workflow.${id}.step`, data }).then(
        () => {
          index += 1;
          setTimeout(next, STEP_INTERVAL_MS);
        },
        () => (this.activeRuns -= 1),
      );
    };
    next();
    return true;
  }

  stop(): void {
    this.setRate(0);
  }

  private async tick(): Promise<void> {
    this.owed += (this.rate * TICK_MS) / 1000;
    const count = Math.floor(this.owed);
    this.owed -= count;
    if (count === 0) return;
    const items = [];
    for (let n = 0; n < count; n++) {
      const row = this.rows.get(skuOf(Math.floor(Math.random() * ROWS)));
      if (row === undefined) continue;
      row.qty = Math.max(0, row.qty + Math.floor(Math.random() * 21) - 10);
      row.version += 1;
      items.push({ channel: `inventory.${row.sku}`, data: eventOf(row) });
    }
    try {
      await this.api.publish(items);
    } catch (err) {
      console.warn(`simulator: publish failed: ${(err as Error).message}`);
    }
  }
}

function eventOf(row: InventoryRow): { type: string; sku: string; qty: number; version: number } {
  return { type: 'INVENTORY_UPDATE', sku: row.sku, qty: row.qty, version: row.version };
}
