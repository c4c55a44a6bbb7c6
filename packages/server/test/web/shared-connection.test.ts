/**
 * One socket for all tabs of an origin (`connectShared`), in a real headless Chromium: pages of
 * one browser context on one origin are the tabs, the SDK is served from `dist` as plain ES
 * modules under an import map, and a real node counts connections (`GET /api/stats`). Waits
 * go through `waitForFunction` and `expect.poll` on the node's counts, never fixed sleeps.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from '../helpers/chromium.js';
import { startTabsSite, vendorWorker, type TabsSite } from '../helpers/shared-tabs-site.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';

const ORG = 'acme';

describe.skipIf(!hasChromium())('shared connection across tabs (needs Chromium)', () => {
  let node: TestNode;
  let site: TabsSite;
  let browser: Browser;
  let context: BrowserContext;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    vendorWorker();
    site = await startTabsSite((ttlSeconds, user) =>
      node.token({ sub: user, org: ORG, publish: ['>'], ttlSeconds }),
    );
    node = await startTestNode({ allowedOrigins: [site.url] });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await node?.stop();
  });

  beforeEach(async () => {
    pageErrors.length = 0;
    context = await browser.newContext();
  });

  afterEach(async () => {
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  async function openTab(
    mode: string,
    subs: string[],
    extra: Record<string, string> = {},
  ): Promise<Page> {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    const query = new URLSearchParams({ ws: node.wsUrl, mode, ...extra });
    for (const s of subs) query.append('sub', s);
    await page.goto(`${site.url}/?${query.toString()}`);
    await page.waitForFunction(() => (window as unknown as TabWindow).tab?.ready);
    await page.evaluate(() => (window as unknown as TabWindow).tab.ready);
    return page;
  }

  async function publish(channel: string, n: number): Promise<void> {
    const res = await fetch(`${node.httpUrl}/api/publish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${node.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ org: ORG, channel, data: { n } }),
    });
    expect(res.status).toBe(200);
  }

  async function stats(): Promise<{ connections: number; subscriptions: number }> {
    const res = await fetch(`${node.httpUrl}/api/stats?org=${ORG}`, {
      headers: { authorization: `Bearer ${node.adminKey}` },
    });
    return (await res.json()) as { connections: number; subscriptions: number };
  }

  const seen = (page: Page, pattern: string): Promise<number[]> =>
    page.evaluate((p) => (window as unknown as TabWindow).tab.seen[p] ?? [], pattern);

  /** Waits until the tab has seen `n` among the events of `pattern`. */
  const waitForN = (page: Page, pattern: string, n: number): Promise<unknown> =>
    page.waitForFunction(
      ([p, want]) => (window as unknown as TabWindow).tab.seen[p]?.includes(want) === true,
      [pattern, n] as const,
    );

  const range = (from: number, to: number): number[] =>
    Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it('SharedWorker: two tabs on one pattern make one connection, and both get every event', async () => {
    const a = await openTab('auto', ['inventory.*']);
    const b = await openTab('auto', ['inventory.*']);
    expect(await a.evaluate(() => (window as unknown as TabWindow).tab.mode())).toBe(
      'shared-worker',
    );
    await expect.poll(stats).toMatchObject({ connections: 1, subscriptions: 1 });
    for (const n of range(1, 10)) await publish(`inventory.item${n % 3}`, n);
    await waitForN(a, 'inventory.*', 10);
    await waitForN(b, 'inventory.*', 10);
    expect(await seen(a, 'inventory.*')).toEqual(range(1, 10));
    expect(await seen(b, 'inventory.*')).toEqual(range(1, 10));
    // The last tab on the pattern ends the server subscription, whether it leaves or closes.
    await b.close();
    await a.evaluate(() => (window as unknown as TabWindow).tab.unsubscribe('inventory.*'));
    await expect.poll(stats).toMatchObject({ connections: 1, subscriptions: 0 });
  });

  it('leader election: the leader tab closes mid-stream, another takes over and every tab gets every event once, in order', async () => {
    const a = await openTab('leader', ['stream.*']);
    expect(await a.evaluate(() => (window as unknown as TabWindow).tab.leader())).toBe(true);
    const b = await openTab('leader', ['stream.*']);
    const c = await openTab('leader', ['stream.*']);
    expect(await b.evaluate(() => (window as unknown as TabWindow).tab.mode())).toBe('leader');
    expect(await b.evaluate(() => (window as unknown as TabWindow).tab.leader())).toBe(false);
    await expect.poll(stats).toMatchObject({ connections: 1 });

    const total = 60;
    for (const n of range(1, 20)) await publish('stream.numbers', n);
    await waitForN(b, 'stream.*', 20);
    const closing = a.close();
    for (const n of range(21, total)) await publish('stream.numbers', n);
    await closing;
    // The queue for the lock decides who is next: b asked first.
    await b.waitForFunction(() => (window as unknown as TabWindow).tab.leader());
    expect(await c.evaluate(() => (window as unknown as TabWindow).tab.leader())).toBe(false);
    for (const tab of [b, c]) {
      await waitForN(tab, 'stream.*', total);
      expect(await seen(tab, 'stream.*')).toEqual(range(1, total));
    }
    await expect.poll(stats).toMatchObject({ connections: 1, subscriptions: 1 });
  });

  it('leader election: a leader that leaves with close() hands over the same way', async () => {
    const a = await openTab('leader', ['calm.*']);
    const b = await openTab('leader', ['calm.*']);
    for (const n of range(1, 5)) await publish('calm.x', n);
    await waitForN(b, 'calm.*', 5);
    await a.evaluate(() => (window as unknown as TabWindow).tab.leave());
    for (const n of range(6, 15)) await publish('calm.x', n);
    await b.waitForFunction(() => (window as unknown as TabWindow).tab.leader());
    await waitForN(b, 'calm.*', 15);
    expect(await seen(b, 'calm.*')).toEqual(range(1, 15));
    expect(await b.evaluate(() => (window as unknown as TabWindow).tab.conn.state)).toBe(
      'connected',
    );
  });

  it('SharedWorker: the worker refreshes its token by asking a tab, and every tab hears of it', async () => {
    const extra = { ttl: '3', margin: '2' };
    const served = site.tokensServed;
    const tabs = [await openTab('auto', [], extra), await openTab('auto', [], extra)];
    for (const tab of tabs)
      await tab.waitForFunction(() => (window as unknown as TabWindow).tab.refreshed >= 1);
    // One token for the connect, one more for each refresh: all fetched by the tabs' getToken.
    expect(site.tokensServed).toBeGreaterThanOrEqual(served + 2);
    await expect.poll(stats).toMatchObject({ connections: 1 });
  });

  it('SharedWorker: the unread count of the inbox agrees in two tabs, and follows a mark-read from either', async () => {
    const tabs = [await openTab('auto', []), await openTab('auto', [])];
    for (const tab of tabs)
      await tab.evaluate(() => (window as unknown as TabWindow).tab.startInbox());
    const unread = (want: number) =>
      Promise.all(
        tabs.map((tab) =>
          tab.waitForFunction((n) => (window as unknown as TabWindow).tab.unread() === n, want),
        ),
      );
    await unread(0);
    for (const title of ['one', 'two']) {
      const res = await fetch(`${node.httpUrl}/api/notify`, {
        method: 'POST',
        headers: { authorization: `Bearer ${node.adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ org: ORG, users: ['u1'], notification: { kind: 'test', title } }),
      });
      expect(res.status).toBe(200);
    }
    await unread(2);
    await tabs[1]!.evaluate(() => (window as unknown as TabWindow).tab.markAllRead());
    await unread(0);
    await expect.poll(stats).toMatchObject({ connections: 1, subscriptions: 1 });
  });

  async function notify(user: string, title: string): Promise<void> {
    const res = await fetch(`${node.httpUrl}/api/notify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${node.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ org: ORG, users: [user], notification: { kind: 'test', title } }),
    });
    expect(res.status).toBe(200);
  }

  for (const mode of ['shared-worker', 'leader'] as const) {
    it(`${mode}: tabs of two users on one origin get two connections, and never the other's inbox`, async () => {
      // Users of their own per mode: the node keeps their inboxes from test to test.
      const [a, b] = mode === 'leader' ? ['alice2', 'bob2'] : ['alice1', 'bob1'];
      const alice = await openTab(mode, ['both.*'], { user: a });
      const bob = await openTab(mode, ['both.*'], { user: b });
      const alice2 = await openTab(mode, ['both.*'], { user: a });
      await expect.poll(stats).toMatchObject({ connections: 2 });
      const tabs = [alice, bob, alice2];
      for (const tab of tabs)
        await tab.evaluate(() => (window as unknown as TabWindow).tab.startInbox());
      const unread = (tab: Page, n: number): Promise<unknown> =>
        expect
          .poll(() => tab.evaluate(() => (window as unknown as TabWindow).tab.unread()), {
            timeout: 15_000,
          })
          .toBe(n);
      for (const tab of tabs) await unread(tab, 0);
      // Alice's first: on a socket shared with her, bob's tab would count it before his own.
      await notify(a, 'for alice');
      await notify(b, 'for bob');
      await notify(b, 'for bob again');
      await Promise.all([unread(alice, 1), unread(alice2, 1), unread(bob, 2)]);
      await publish('both.x', 1);
      for (const tab of tabs) await waitForN(tab, 'both.*', 1);
      for (const tab of tabs) expect(await seen(tab, 'both.*')).toEqual([1]);
      expect(await alice.evaluate(() => (window as unknown as TabWindow).tab.unread())).toBe(1);
      expect(await bob.evaluate(() => (window as unknown as TabWindow).tab.unread())).toBe(2);
      expect(await alice.evaluate(() => (window as unknown as TabWindow).tab.errors)).toEqual([]);
      expect(await bob.evaluate(() => (window as unknown as TabWindow).tab.errors)).toEqual([]);
    });

    it(`${mode}: the only tab, gone while events are published and loaded again, resumes without loss`, async () => {
      const page = await openTab(mode, ['reload.*']);
      for (const n of range(1, 5)) await publish('reload.x', n);
      await waitForN(page, 'reload.*', 5);
      await page.goto('about:blank'); // the tab's page is gone, sessionStorage stays
      await expect.poll(stats).toMatchObject({ connections: 0 });
      for (const n of range(6, 10)) await publish('reload.x', n);
      const query = new URLSearchParams({ ws: node.wsUrl, mode, sub: 'reload.*' });
      await page.goto(`${site.url}/?${query.toString()}`);
      await page.waitForFunction(() => (window as unknown as TabWindow).tab?.ready);
      for (const n of range(11, 12)) await publish('reload.x', n);
      await waitForN(page, 'reload.*', 12);
      expect(await seen(page, 'reload.*')).toEqual(range(6, 12));
    });
  }

  it('a worker script that does not load makes the tabs elect a leader instead', async () => {
    const extra = { worker: '/missing-worker.js' };
    const a = await openTab('shared-worker', ['fallback.*'], extra);
    const b = await openTab('shared-worker', ['fallback.*'], extra);
    for (const tab of [a, b])
      expect(await tab.evaluate(() => (window as unknown as TabWindow).tab.mode())).toBe('leader');
    await expect.poll(stats).toMatchObject({ connections: 1, subscriptions: 1 });
    for (const n of range(1, 3)) await publish('fallback.x', n);
    for (const tab of [a, b]) {
      await waitForN(tab, 'fallback.*', 3);
      expect(await seen(tab, 'fallback.*')).toEqual(range(1, 3));
    }
  });

  it('a worker the browser refuses outright (another origin) makes the tab lead at once', async () => {
    // `new SharedWorker` throws a SecurityError here, before any error event could come.
    const a = await openTab('shared-worker', ['refused.*'], { worker: 'http://127.0.0.2:9/w.js' });
    expect(await a.evaluate(() => (window as unknown as TabWindow).tab.mode())).toBe('leader');
    await publish('refused.x', 1);
    await waitForN(a, 'refused.*', 1);
  });

  it('per tab: each tab has its own connection and gets every event', async () => {
    const a = await openTab('per-tab', ['plain.*']);
    const b = await openTab('per-tab', ['plain.*']);
    expect(await a.evaluate(() => (window as unknown as TabWindow).tab.mode())).toBe('per-tab');
    await expect.poll(stats).toMatchObject({ connections: 2 });
    for (const n of range(1, 5)) await publish('plain.x', n);
    await waitForN(a, 'plain.*', 5);
    await waitForN(b, 'plain.*', 5);
    expect(await seen(a, 'plain.*')).toEqual(range(1, 5));
    expect(await seen(b, 'plain.*')).toEqual(range(1, 5));
  });
});

interface TabWindow {
  tab: {
    mode(): string;
    ready: Promise<boolean>;
    seen: Record<string, number[]>;
    subscribe(pattern: string): Promise<void>;
    unsubscribe(pattern: string): void;
    leader(): boolean;
    leave(): void;
    refreshed: number;
    errors: string[];
    conn: { state: string };
    startInbox(): void;
    unread(): number | undefined;
    markAllRead(): Promise<unknown>;
  };
}
