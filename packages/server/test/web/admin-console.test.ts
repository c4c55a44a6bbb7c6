/**
 * The admin console end to end: a real node serving `/admin`, real WebSocket clients, and a
 * headless Chromium driving the page. The page gets the admin key typed in, its charts grow as
 * events are published, its tables list a channel with its subscriber count, and its tools
 * publish, read history and disconnect a live client. Tenant strings carrying HTML are shown as
 * text. Waits go through Playwright's locators and `waitForFunction`, never fixed sleeps.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '@hubcast/protocol';
import { hasChromium, launchChromium } from '../helpers/chromium.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';
import { connectClient, publishHttp, terminateAllClients } from '../helpers/ws-client.js';

const tid = (id: string, extra = ''): string => `[data-testid="${id}"]${extra}`;
const XSS = '<img src=x onerror="window.__xss=1">';

/** The number a chart box carries in `data-<name>` (see web/admin/charts.js). */
const chartNumber = (page: Page, chart: string, name: 'points' | 'max'): Promise<number> =>
  page.$eval(tid(`chart-${chart}`), (box, n) => Number((box as HTMLElement).dataset[n]), name);

describe.skipIf(!hasChromium())('admin console (needs Chromium at /usr/bin/chromium)', () => {
  let node: TestNode;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    node = await startTestNode();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(`console: ${msg.text()}`);
    });
    page.on('request', (req) => requests.push(req.url()));
    await page.goto(`${node.httpUrl}/admin`);
  });

  afterAll(async () => {
    terminateAllClients();
    await browser?.close();
    await node?.stop();
  });

  it('refuses a wrong key and opens with the admin key, kept out of URLs and cookies', async () => {
    await page.fill(tid('key-input'), 'not-the-key');
    await page.click(tid('key-submit'));
    await page.locator(tid('key-error')).filter({ hasText: 'Unknown key' }).waitFor();
    // The refused call's 401 is logged by Chromium; every later error is a failure.
    pageErrors.length = 0;
    await page.fill(tid('key-input'), node.adminKey);
    await page.click(tid('key-submit'));
    await page.locator(tid('chart-events')).waitFor();
    await page.locator(tid('nodes-table', ' tbody tr')).first().waitFor();
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(await page.evaluate(() => sessionStorage.getItem('hubcast.adminKey'))).toBe(
      node.adminKey,
    );
    expect(requests.filter((url) => url.includes(node.adminKey))).toEqual([]);
    expect(requests.filter((url) => !url.startsWith(node.httpUrl))).toEqual([]);
  });

  it('charts grow as events are published, per node and per tenant', async () => {
    const client = await connectClient(
      node,
      { sub: 'watcher', org: 'acme' },
      { subscriptions: ['room.>'] },
    );
    const pointsBefore = await chartNumber(page, 'events', 'points');
    for (let i = 0; i < 20; i++) await publishHttp(node, 'acme', 'room.chart', { i });
    for (let i = 0; i < 20; i++) await client.next('event');
    await page.waitForFunction(
      (sel) => Number(document.querySelector<HTMLElement>(sel)?.dataset['max']) > 0,
      tid('chart-deliveries'),
    );
    expect(await chartNumber(page, 'events', 'max')).toBeGreaterThan(0);
    expect(await chartNumber(page, 'connections', 'max')).toBeGreaterThanOrEqual(1);
    expect(await chartNumber(page, 'events', 'points')).toBeGreaterThan(pointsBefore);
    // The tenant shows in the tenants table, and its own charts when picked.
    await page.click(tid('tenants-table', ' tr[data-org="acme"]'));
    expect(await page.inputValue(tid('scope'))).toBe('acme');
    await page.waitForFunction(
      (sel) => Number(document.querySelector<HTMLElement>(sel)?.dataset['max']) > 0,
      tid('chart-events'),
    );
  });

  it('lists a channel with its subscriber count', async () => {
    await connectClient(node, { sub: 'sub1', org: 'acme' }, { subscriptions: ['orders.eu'] });
    await connectClient(node, { sub: 'sub2', org: 'acme' }, { subscriptions: ['orders.eu'] });
    await page.fill(tid('channels-org'), 'acme');
    await page.click(tid('channels-form', ' button[type="submit"]'));
    const row = page.locator(tid('channels-table', ' tr[data-channel="orders.eu"]'));
    await row.locator('[data-subscribers="2"]').waitFor();
  });

  it('publishes and reads history through the tools', async () => {
    const client = await connectClient(
      node,
      { sub: 'reader', org: 'acme' },
      { subscriptions: ['tools.>'] },
    );
    await page.fill(tid('publish-org'), 'acme');
    await page.fill(tid('publish-channel'), 'tools.one');
    await page.fill(tid('publish-data'), '{"from":"console"}');
    await page.click(tid('publish-submit'));
    const event = await client.next('event');
    expect({ channel: event.channel, data: event.data }).toEqual({
      channel: 'tools.one',
      data: { from: 'console' },
    });
    await page.locator(tid('publish-result')).filter({ hasText: event.event_id }).waitFor();
    await page.fill(tid('history-org'), 'acme');
    await page.fill(tid('history-channel'), 'tools.>');
    await page.click(tid('history-submit'));
    const item = page.locator(tid('history-list', ` li[data-event-id="${event.event_id}"]`));
    await item.waitFor();
    expect(await item.textContent()).toContain('{"from":"console"}');
  });

  it('disconnects a live client through the tool; the client sees the close', async () => {
    const victim = await connectClient(node, { sub: 'mallory', org: 'acme' });
    await page.fill(tid('disconnect-org'), 'acme');
    await page.fill(tid('disconnect-user'), 'mallory');
    await page.fill(tid('disconnect-reason'), 'bye from admin');
    await page.click(tid('disconnect-submit'));
    expect(await victim.closed).toEqual({
      code: CLOSE_CODES.forbidden.code,
      reason: 'bye from admin',
    });
    await page.locator(tid('disconnect-result')).filter({ hasText: 'closed 1' }).waitFor();
  });

  it('shows tenant strings carrying HTML as text: no script of a tenant runs', async () => {
    const info = { name: XSS };
    await connectClient(node, { sub: 'eve', org: 'acme', info }, { subscriptions: ['lobby.main'] });
    await publishHttp(node, 'acme', 'lobby.main', { text: XSS });
    await page.fill(tid('presence-org'), 'acme');
    await page.fill(tid('presence-channel'), 'lobby.main');
    await page.click(tid('presence-form', ' button[type="submit"]'));
    const member = page.locator(tid('presence-list', ' li[data-user="eve"]'));
    await member.waitFor();
    expect(await member.textContent()).toContain(XSS.replaceAll('"', '\\"'));
    await page.fill(tid('history-channel'), 'lobby.main');
    await page.click(tid('history-submit'));
    await page.locator(tid('history-list', ' li')).filter({ hasText: '<img' }).waitFor();
    await page.fill(tid('publish-data'), JSON.stringify({ text: XSS }));
    await page.fill(tid('publish-channel'), 'lobby.main');
    await page.click(tid('publish-submit'));
    await page.locator(tid('publish-result')).filter({ hasText: 'published' }).waitFor();
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBe(
      undefined,
    );
    expect(pageErrors).toEqual([]);
    // For a human look at the page (not asserted).
    await page.screenshot({ path: '/tmp/hubcast-admin-console.png', fullPage: true });
  });
});
