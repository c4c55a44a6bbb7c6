/**
 * The proof of `@hubcast/react` in a real headless Chromium: a page bundled at test time by
 * esbuild (React's development build, inside `<StrictMode>`, so every effect runs twice on
 * mount) renders 5,000 rows from useLiveCollection, a feed on useChannel and the connection
 * state, fed by a real node. Subscriptions are counted by the node's `GET /api/stats`, renders
 * by the page. The package itself needs no bundler; only this test page is bundled.
 *
 * The page imports the packages' `dist`: run `tsc -b` first (`npm test` does).
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerClient } from '@hubcast/client';
import { hasChromium, launchChromium } from '../../server/test/helpers/chromium.js';
import { startTestNode, type TestNode } from '../../server/test/helpers/test-node.js';
import { startStaticServer, type StaticServer } from '../../vue/test/helpers/static-server.js';

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
  commits: Record<string, number>;
  calls: Record<string, number>;
}
interface PageApi {
  __renders(): Renders;
  __resetRenders(): void;
  __handled(): number[];
  __control(change: { table?: boolean; feed?: string | undefined; extras?: boolean }): void;
  __rpc(method: string, params: unknown): Promise<unknown>;
}

const skuOf = (i: number): string => `sku-${String(i).padStart(4, '0')}`;

/** Bundles the page with React's development build (StrictMode only doubles effects there). */
async function bundlePage(outdir: string): Promise<void> {
  await build({
    entryPoints: [join(here, 'page/inventory-app.ts')],
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    define: { 'process.env.NODE_ENV': '"development"' },
    logLevel: 'error',
  });
  await copyFile(join(here, 'page/index.html'), join(outdir, 'index.html'));
}

describe.skipIf(!hasChromium())('react hooks in Chromium (needs /usr/bin/chromium)', () => {
  const inventory = new Map<string, Row>();
  let outdir: string;
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
  const call = <K extends keyof PageApi>(
    name: K,
    ...args: Parameters<PageApi[K]>
  ): Promise<ReturnType<PageApi[K]>> =>
    page.evaluate(
      ([fn, rest]) =>
        ((window as unknown as Record<string, (...a: unknown[]) => unknown>)[fn] ?? String)(
          ...rest,
        ),
      [name, args] as const,
    ) as Promise<ReturnType<PageApi[K]>>;
  /** The renders since the last reset, after React has committed what is pending. */
  const renders = async (): Promise<Renders> => {
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
    return call('__renders');
  };
  const subscriptions = async (): Promise<number> => (await api.stats()).subscriptions;

  beforeAll(async () => {
    for (const pkg of ['protocol', 'client', 'react'])
      if (!existsSync(join(repo, 'packages', pkg, 'dist/index.js')))
        throw new Error(`packages/${pkg}/dist is missing: run 'npx tsc -b' first`);
    for (let i = 0; i < ROWS; i++) inventory.set(skuOf(i), { sku: skuOf(i), qty: i });
    outdir = await mkdtemp(join(tmpdir(), 'hubcast-react-page-'));
    await bundlePage(outdir);
    web = await startStaticServer({
      mounts: { '/page/': outdir },
      json: { '/api/inventory': () => [...inventory.values()] },
    });
    tn = await startTestNode({ allowedOrigins: [web.origin] });
    api = new ServerClient({ url: tn.httpUrl, apiKey: tn.adminKey, org: ORG });
    const token = await tn.token({ sub: USER, org: ORG, publish: ['>'] });
    browser = await launchChromium();
    page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(`console: ${msg.text()}`);
    });
    await page.addInitScript((cfg) => Object.assign(window, { __TEST__: cfg }), {
      wsUrl: tn.wsUrl,
      token,
    });
    await page.goto(`${web.origin}/page/index.html`);
    await waitText('state', 'connected');
    await waitText('status', 'ready');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await tn?.stop();
    await web?.close();
    if (outdir !== undefined) await rm(outdir, { recursive: true, force: true });
    expect(pageErrors).toEqual([]);
  });

  it('mounts under StrictMode with one connection and one subscription', async () => {
    expect(await page.locator('tbody tr').count()).toBe(ROWS);
    expect(await qtyCell(skuOf(4999)).innerText()).toBe('4999');
    const stats = await api.stats();
    expect(stats.connections).toBe(1);
    expect(stats.subscriptions).toBe(1);
  });

  it('re-renders exactly one row of 5,000 for an update of one row', async () => {
    const sku = skuOf(1234);
    await call('__resetRenders');
    inventory.set(sku, { sku, qty: 777_777 });
    await api.publish({
      channel: `inventory.${sku}`,
      data: { type: 'INVENTORY_UPDATE', sku, qty: 777_777 },
    });
    await expect.poll(() => qtyCell(sku).innerText()).toBe('777777');
    const seen = await renders();
    expect(seen.commits).toEqual({ [sku]: 1 });
    expect(Object.keys(seen.calls)).toEqual([sku]);
    expect(await qtyCell(skuOf(1233)).innerText()).toBe('1233');
    expect(await qtyCell(skuOf(1235)).innerText()).toBe('1235');
  });

  it('adds and removes rows without re-rendering the others', async () => {
    await call('__resetRenders');
    const added: Row = { sku: 'sku-new', qty: 5 };
    await api.publish({
      channel: 'inventory.sku-new',
      data: { type: 'INVENTORY_ADD', row: added },
    });
    await api.publish({
      channel: `inventory.${skuOf(42)}`,
      data: { type: 'INVENTORY_REMOVE', sku: skuOf(42) },
    });
    await expect.poll(() => page.locator(`tr[data-sku="${skuOf(42)}"]`).count()).toBe(0);
    expect(await qtyCell('sku-new').innerText()).toBe('5');
    expect(await text('size')).toBe(String(ROWS)); // one in, one out
    const seen = await renders();
    // The new row mounts (its layout effect runs twice under StrictMode); no other row renders.
    // Two commits of one mount is StrictMode at work: the page runs in development mode.
    expect(seen.commits).toEqual({ 'sku-new': 2 });
    expect(Object.keys(seen.calls)).toEqual(['sku-new']);
  });

  it('subscribes a StrictMode useChannel once, delivers each event once, follows a new pattern and lets go on unmount', async () => {
    await call('__control', { feed: 'ticks.>' });
    await waitText('feed-state', 'ticks.> subscribed');
    expect(await subscriptions()).toBe(2);
    for (const n of [1, 2, 3]) await api.publish({ channel: 'ticks.a', data: { n } });
    await waitText('feed-count', '3');
    // A marker after them: anything delivered twice would be in by now.
    await api.publish({ channel: 'ticks.b', data: { n: 4 } });
    await waitText('feed-count', '4');
    expect(await call('__handled')).toEqual([1, 2, 3, 4]);

    // A new pattern re-subscribes: the old one stops delivering, the new one starts.
    await call('__control', { feed: 'other.>' });
    await waitText('feed-state', 'other.> subscribed');
    await api.publish({ channel: 'ticks.a', data: { n: 5 } });
    await api.publish({ channel: 'other.x', data: { n: 6 } });
    await waitText('feed-count', '1');
    expect(await call('__handled')).toEqual([1, 2, 3, 4, 6]);
    await expect.poll(subscriptions).toBe(2);

    await call('__control', { feed: undefined });
    await expect.poll(subscriptions).toBe(1);
  });

  it('follows presence, the inbox and a chat room while mounted, and lets all go on unmount', async () => {
    await call('__rpc', 'chat.createRoom', { room: 'general' });
    await call('__control', { extras: true });
    await waitText('presence', 'ready viewer');
    await waitText('unread', '0');
    await waitText('chat', 'ready ');
    await api.notify({ users: [USER], notification: { kind: 'k', title: 'hello' } });
    await waitText('unread', '1');
    expect(await text('received')).toBe('hello');
    await page.locator('[data-testid="send"]').click();
    await waitText('chat', 'ready hi there');
    // lobby (presence), the inbox and the room, besides the table's.
    expect(await subscriptions()).toBe(4);
    await call('__control', { extras: false });
    await expect.poll(subscriptions).toBe(1);
  });

  it('shows a server disconnect in useConnectionState, and the reconnect', async () => {
    expect((await api.disconnect({ user: USER, reason: 'test' })).closed).toBe(1);
    await waitText('state', 'disconnected');
    expect(await text('error')).toBe('forbidden');
    expect(await text('will-reconnect')).toBe('false');
    await waitText('live', 'false');
    expect(await page.locator('tbody tr').count()).toBe(ROWS);

    await page.locator('[data-testid="reconnect"]').click();
    await waitText('state', 'connected');
    await waitText('live', 'true');
    expect(await text('will-reconnect')).toBe('true');
    const sku = skuOf(7);
    await api.publish({
      channel: `inventory.${sku}`,
      data: { type: 'INVENTORY_UPDATE', sku, qty: -7 },
    });
    await expect.poll(() => qtyCell(sku).innerText()).toBe('-7');
  });

  it('leaves no subscription after the last hook unmounts, and keeps the connection', async () => {
    await expect.poll(subscriptions).toBe(1);
    await call('__control', { table: false });
    await expect.poll(() => page.locator('tbody tr').count()).toBe(0);
    await expect.poll(subscriptions).toBe(0);
    expect((await api.stats()).connections).toBe(1);
  });
});
