/**
 * The proof of issue 13 in a real headless Chromium: a page (no bundler: an import map onto
 * the packages' `dist` and the browser builds of vue and pinia) mounts 5,000 rows from
 * `defineLiveStore`, fed by a real node; the test publishes over the node's HTTP API and
 * counts the renders of every row component. One update must re-render exactly one row.
 *
 * It lives in packages/vue because it proves this package's promise; it starts the node with
 * the server's own test helper, as the client's tests do. The page loads `dist`, so run `tsc
 * -b` first (`npm test` does).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerClient } from '@hubcast/client';
import { hasChromium, launchChromium } from '../../server/test/helpers/chromium.js';
import { startTestNode, type TestNode } from '../../server/test/helpers/test-node.js';
import { startStaticServer, type StaticServer } from './helpers/static-server.js';

const ORG = 'acme';
const USER = 'viewer';
const ROWS = 5000;
const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../../..');

interface Row {
  sku: string;
  qty: number;
}
interface Renders {
  rows: Record<string, number>;
  list: number;
}

const skuOf = (i: number): string => `sku-${String(i).padStart(4, '0')}`;

describe.skipIf(!hasChromium())('live store in Chromium (needs /usr/bin/chromium)', () => {
  const inventory = new Map<string, Row>();
  let web: StaticServer;
  let tn: TestNode;
  let api: ServerClient;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  const qtyCell = (sku: string): ReturnType<Page['locator']> =>
    page.locator(`tr[data-sku="${sku}"] td.qty`);
  const text = (id: string): Promise<string> => page.locator(`[data-testid="${id}"]`).innerText();
  const waitText = (id: string, value: string): Promise<unknown> =>
    page.waitForFunction(
      ([tid, want]) => document.querySelector(`[data-testid="${tid}"]`)?.textContent === want,
      [id, value] as const,
    );
  /** The renders counted since the last reset, once Vue has flushed its updates. */
  const renders = async (): Promise<Renders> => {
    await page.evaluate(() => (window as unknown as { __flush(): Promise<void> }).__flush());
    return page.evaluate(() => (window as unknown as { __renders(): Renders }).__renders());
  };
  const resetRenders = (): Promise<void> =>
    page.evaluate(() => (window as unknown as { __resetRenders(): void }).__resetRenders());
  const publish = async (channel: string, data: unknown): Promise<void> => {
    await api.publish({ channel, data });
  };

  beforeAll(async () => {
    for (const pkg of ['protocol', 'client', 'vue'])
      if (!existsSync(join(repo, 'packages', pkg, 'dist/index.js')))
        throw new Error(`packages/${pkg}/dist is missing: run 'npx tsc -b' first`);
    for (let i = 0; i < ROWS; i++) inventory.set(skuOf(i), { sku: skuOf(i), qty: i });
    web = await startStaticServer({
      mounts: {
        '/page/': join(here, 'page'),
        '/vue/': join(repo, 'node_modules/vue/dist'),
        '/pinia/': join(repo, 'node_modules/pinia/dist'),
        '/hubcast/protocol/': join(repo, 'packages/protocol/dist'),
        '/hubcast/client/': join(repo, 'packages/client/dist'),
        '/hubcast/vue/': join(repo, 'packages/vue/dist'),
      },
      // The app's own REST endpoint: the snapshot the store loads first and after a reset.
      json: { '/api/inventory': () => [...inventory.values()] },
    });
    tn = await startTestNode({ allowedOrigins: [web.origin] });
    api = new ServerClient({ url: tn.httpUrl, apiKey: tn.adminKey, org: ORG });
    const token = await tn.token({ sub: USER, org: ORG });
    browser = await launchChromium();
    page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(`console: ${msg.text()}`);
    });
    await page.addInitScript((cfg) => Object.assign(window, { __TEST__: cfg }), {
      wsUrl: tn.wsUrl,
      token,
    });
    await page.goto(`${web.origin}/page/index.html`);
    await waitText('status', 'ready');
    await waitText('state', 'connected');
  });

  afterAll(async () => {
    await browser?.close();
    await tn?.stop();
    await web?.close();
    expect(pageErrors).toEqual([]);
  });

  it('mounts 5,000 rows from one snapshot', async () => {
    expect(await page.locator('tbody tr').count()).toBe(ROWS);
    expect(await qtyCell(skuOf(4999)).innerText()).toBe('4999');
    expect(web.hits.get('/api/inventory')).toBe(1);
  });

  it('re-renders exactly one row, and not the list, for an update of one row', async () => {
    const sku = skuOf(1234);
    await resetRenders();
    inventory.set(sku, { sku, qty: 777_777 });
    await publish(`inventory.${sku}`, { type: 'INVENTORY_UPDATE', sku, qty: 777_777 });
    await expect.poll(() => qtyCell(sku).innerText()).toBe('777777');
    expect(await renders()).toEqual({ rows: { [sku]: 1 }, list: 0 });
    // Its neighbours still show their own values.
    expect(await qtyCell(skuOf(1233)).innerText()).toBe('1233');
    expect(await qtyCell(skuOf(1235)).innerText()).toBe('1235');
  });

  it('re-renders one row per update for a burst of updates to different rows', async () => {
    const skus = [skuOf(7), skuOf(2500), skuOf(4998)];
    await resetRenders();
    for (const [i, sku] of skus.entries()) {
      inventory.set(sku, { sku, qty: -i - 1 });
      await publish(`inventory.${sku}`, { type: 'INVENTORY_UPDATE', sku, qty: -i - 1 });
    }
    await expect.poll(() => qtyCell(skus[2] ?? '').innerText()).toBe('-3');
    const seen = await renders();
    expect(Object.keys(seen.rows).sort()).toEqual([...skus].sort());
    expect(Object.values(seen.rows).every((n) => n === 1)).toBe(true);
    expect(seen.list).toBe(0);
  });

  it('removes one row on a delete, without re-rendering the others', async () => {
    const sku = skuOf(42);
    await resetRenders();
    inventory.delete(sku);
    await publish(`inventory.${sku}`, { type: 'INVENTORY_REMOVE', sku });
    await expect.poll(() => page.locator('tbody tr').count()).toBe(ROWS - 1);
    expect(await page.locator(`tr[data-sku="${sku}"]`).count()).toBe(0);
    expect(await text('size')).toBe(String(ROWS - 1));
    // The list renders again (it lost a child); no row does.
    expect(await renders()).toEqual({ rows: {}, list: 1 });
  });

  it('shows a server disconnect, resumes on reconnect, and keeps the rows right', async () => {
    const updated = skuOf(100);
    const added: Row = { sku: 'sku-new', qty: 5 };
    expect((await api.disconnect({ user: USER, reason: 'test' })).closed).toBe(1);
    // 4502 means "do not reconnect on your own": the page shows it, the rows stay.
    await waitText('state', 'disconnected');
    expect(await text('error')).toBe('forbidden');
    expect(await text('live')).toBe('false');
    expect(await page.locator('tbody tr').count()).toBe(ROWS - 1);

    // Changes while the page is away come back by resume, not by reloading the snapshot.
    inventory.set(updated, { sku: updated, qty: 31_337 });
    inventory.set(added.sku, added);
    await publish(`inventory.${updated}`, { type: 'INVENTORY_UPDATE', sku: updated, qty: 31_337 });
    await publish(`inventory.${added.sku}`, { type: 'INVENTORY_ADD', row: added });
    await resetRenders();
    await page.locator('[data-testid="reconnect"]').click();
    await waitText('state', 'connected');
    await waitText('live', 'true');
    await expect.poll(() => qtyCell(updated).innerText()).toBe('31337');
    await expect.poll(() => qtyCell(added.sku).innerText()).toBe('5');
    expect(await page.locator('tbody tr').count()).toBe(ROWS);
    expect(web.hits.get('/api/inventory')).toBe(1);
    const states = await page.evaluate(() =>
      (window as unknown as { __states(): string[] }).__states(),
    );
    expect(states.slice(-3)).toEqual(['disconnected', 'connecting', 'connected']);
    // The resumed update re-rendered its row; the added row rendered once; no other row did.
    const seen = await renders();
    expect(seen.rows).toEqual({ [updated]: 1, [added.sku]: 1 });

    // And it keeps following after the reconnect.
    const later = skuOf(101);
    await publish(`inventory.${later}`, { type: 'INVENTORY_UPDATE', sku: later, qty: 0 });
    await expect.poll(() => qtyCell(later).innerText()).toBe('0');
  });
});
