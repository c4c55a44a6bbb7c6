/**
 * The demo app (examples/demo) in a real headless Chromium, served the way `npm run demo`
 * serves it: Vite with the demo's own config, which starts `hubcast serve --dev` and the
 * simulator. The simulator starts at rate 0 so the only changes are the test's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from '../helpers/chromium.js';

const here = dirname(fileURLToPath(import.meta.url));
const demoRoot = join(here, '../../../../examples/demo');
const ROWS = 5000;
const STEPS = ['queued', 'fetch', 'transform', 'publish', 'done'];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

describe.skipIf(!hasChromium())('demo app in Chromium (needs /usr/bin/chromium)', () => {
  let dataDir: string;
  let vite: ViteDevServer;
  let origin: string;
  let browser: Browser;
  /** One browser profile: its tabs share storage, Web Locks and SharedWorkers, as a user's do. */
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  const waitText = (p: Page, id: string, value: string): Promise<unknown> =>
    p.waitForFunction(
      ([tid, want]) => document.querySelector(`[data-testid="${tid}"]`)?.textContent === want,
      [id, value] as const,
    );
  const openTab = async (path = '/'): Promise<Page> => {
    const tab = await context.newPage();
    tab.setDefaultTimeout(20_000);
    tab.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    tab.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(`console: ${msg.text()}`);
    });
    await tab.goto(`${origin}${path}`);
    await waitText(tab, 'connection', 'connected');
    await waitText(tab, 'inventory-status', 'ready');
    return tab;
  };
  const post = async (path: string, body: unknown): Promise<void> => {
    const res = await fetch(`${origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.ok).toBe(true);
  };
  const renderCounts = (): Promise<Record<string, number>> =>
    page.evaluate(() => ({
      ...(window as unknown as { __renderCounts: Record<string, number> }).__renderCounts,
    }));

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'hubcast-demo-'));
    const port = await freePort();
    Object.assign(process.env, { DEMO_PORT: String(port), DEMO_DATA_DIR: dataDir, DEMO_RATE: '0' });
    vite = await createServer({
      configFile: join(demoRoot, 'vite.config.ts'),
      logLevel: 'warn',
    });
    await vite.listen();
    origin = `http://127.0.0.1:${port}`;
    browser = await launchChromium();
    context = await browser.newContext();
    page = await openTab();
  }, 60_000);

  afterAll(async () => {
    await page?.close();
    await browser?.close();
    await vite?.close();
    rmSync(dataDir, { recursive: true, force: true });
    expect(pageErrors).toEqual([]);
  });

  it('shows 5,000 rows from the snapshot, over the one connection of a SharedWorker', async () => {
    expect(await page.locator('[data-testid="sharing"]').innerText()).toBe('shared-worker');
    expect(await page.locator('tbody tr').count()).toBe(ROWS);
    expect(await page.locator('[data-testid="inventory-size"]').innerText()).toBe(`${ROWS} rows`);
  });

  it('re-renders exactly the updated row, and flashes it', async () => {
    const sku = 'sku-1234';
    await page.evaluate(() => {
      const counts = (window as unknown as { __renderCounts: Record<string, number> })
        .__renderCounts;
      for (const key of Object.keys(counts)) delete counts[key];
    });
    await post(`/demo/rows/${sku}`, { qty: 4242 });
    const cell = page.locator(`tr[data-sku="${sku}"] td.qty`);
    await expect.poll(() => cell.innerText()).toBe('4242');
    // Let any further render Vue scheduled run before counting.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
    expect(await renderCounts()).toEqual({ [sku]: 1 });
    expect(await page.locator(`tr[data-sku="${sku}"]`).getAttribute('data-flashes')).toBe('1');
    expect(await page.locator('tr[data-flashes]').count()).toBe(1);
  });

  it('shows the unread count in two tabs, and a read in one clears both', async () => {
    const second = await openTab();
    await waitText(page, 'unread', '0');
    await waitText(second, 'unread', '0');
    await post('/demo/notify', { title: 'one' });
    await post('/demo/notify', { title: 'two' });
    await waitText(page, 'unread', '2');
    await waitText(second, 'unread', '2');
    await second.locator('[data-testid="mark-all-read"]').click();
    await waitText(page, 'unread', '0');
    await waitText(second, 'unread', '0');
    await second.close();
  });

  it('lists the dev user as present', async () => {
    await page.locator('li[data-user="dev-user"]').waitFor();
  });

  it('shows a workflow run step by step, in order', async () => {
    await page.locator('[data-testid="run-workflow"]').click();
    const steps = page.locator('[data-testid="steps"] li');
    await expect.poll(() => steps.count(), { timeout: 15_000 }).toBe(STEPS.length);
    expect(await steps.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-step')))).toEqual(
      STEPS,
    );
  });

  it('chats: send, reply, react, pin, with day separators in the profile zone', async () => {
    await waitText(page, 'chat-status', 'ready');
    // The profile is the page's first call, made before the tab has reached the worker: it
    // must be sent once it has, not failed as if the connection had moved.
    expect(await page.locator('.side .error').count()).toBe(0);
    // The profile's zone draws the separators: Kiritimati (UTC+14) is a day ahead of UTC
    // for most of the day, so its day key is checked against the zone, not the UTC date.
    const zone = 'Pacific/Kiritimati';
    await page.locator('[data-testid="time-zone"]').fill(zone);
    await page.locator('[data-testid="time-zone"]').press('Enter');
    const input = page.locator('[data-testid="chat-input"]');
    await input.fill('hello from the test');
    await input.press('Enter');
    const mine = page.locator('li.message', { hasText: 'hello from the test' });
    await mine.waitFor();
    const id = await mine.getAttribute('data-message');
    const message = page.locator(`li[data-message="${id}"]`);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date());
    await expect.poll(() => page.locator('li.day').last().getAttribute('data-day')).toBe(today);
    expect(await page.locator('li.day').last().innerText()).toBe('Today');

    await message.getByRole('button', { name: 'reply' }).click();
    await input.fill('a reply');
    await input.press('Enter');
    await page.locator('li.message blockquote', { hasText: 'hello from the test' }).waitFor();

    await message.getByRole('button', { name: '👍' }).click();
    await message.locator('.reactions button.mine').waitFor();
    await message.getByRole('button', { name: 'pin', exact: true }).click();
    await page.locator('.pinned', { hasText: 'hello from the test' }).waitFor();
  });

  it('two users: presence, an edit, a read receipt, typing, a thread and a bell each', async () => {
    const alice = await openTab('/?user=alice');
    try {
      // Another user's tab gets a connection (and a worker) of its own.
      expect(await alice.locator('[data-testid="me"]').innerText()).toBe('alice');
      expect(await alice.locator('[data-testid="sharing"]').innerText()).toBe('shared-worker');
      await page.locator('li[data-user="alice"]').waitFor();
      await alice.locator('li[data-user="dev-user"]').waitFor();
      await waitText(alice, 'chat-status', 'ready');

      const input = page.locator('[data-testid="chat-input"]');
      await input.fill('first draft');
      await input.press('Enter');
      const mine = page.locator('li.message', { hasText: 'first draft' });
      await mine.waitFor();
      const id = await mine.getAttribute('data-message');
      const onPage = page.locator(`li[data-message="${id}"]`);
      const atAlice = alice.locator(`li[data-message="${id}"]`);
      await atAlice.waitFor();
      // Alice's open room reads what arrives: her read shows under the message, for dev-user.
      await onPage.locator('.seen', { hasText: 'seen by alice' }).waitFor();

      await onPage.getByRole('button', { name: 'edit' }).click();
      await input.fill('final text');
      await input.press('Enter');
      await atAlice.locator('p.text', { hasText: 'final text' }).waitFor();
      expect(await atAlice.innerText()).toContain('(edited)');
      expect(await atAlice.getByRole('button', { name: 'edit' }).count()).toBe(0);

      await alice.locator('[data-testid="chat-input"]').fill('I am typing');
      await page.locator('.typing', { hasText: 'alice typing…' }).waitFor();

      await atAlice.getByRole('button', { name: 'thread' }).click();
      await alice.getByPlaceholder('reply in thread').fill('answer in the thread');
      await alice.getByPlaceholder('reply in thread').press('Enter');
      await alice.locator('aside.thread li.message', { hasText: 'answer in the thread' }).waitFor();
      await onPage.getByRole('button', { name: 'thread (1)' }).click();
      await page.locator('aside.thread li.message', { hasText: 'answer in the thread' }).waitFor();
      // The thread's reply stays out of the room's own list.
      expect(await page.locator('ul.messages > li.message', { hasText: 'answer in' }).count()).toBe(
        0,
      );

      // The bell is per user: alice's notification is hers alone.
      await waitText(page, 'unread', '0');
      await alice.locator('[data-testid="notify"]').click();
      await waitText(alice, 'unread', '1');
      await page.locator('[data-testid="notify"]').click();
      await waitText(page, 'unread', '1');
      expect(await alice.locator('[data-testid="unread"]').innerText()).toBe('1');
    } finally {
      await alice.close();
    }
  });

  it('a leader tab that closes hands the connection over: the next tab misses no update', async () => {
    // Leader mode (what browsers without SharedWorker get): the first tab runs the socket.
    const first = await openTab('/?mode=leader');
    const second = await openTab('/?mode=leader');
    const sharing = (p: Page): Promise<string> => p.locator('[data-testid="sharing"]').innerText();
    expect([await sharing(first), await sharing(second)]).toEqual([
      'leader (this tab leads)',
      'leader',
    ]);
    const snapshots: string[] = [];
    second.on('request', (r) => {
      if (r.url().includes('/demo/inventory')) snapshots.push(r.url());
    });
    const flashed = (p: Page): Promise<number> => p.locator('tr[data-flashes]').count();
    await post('/demo/simulator', { rate: 50 });
    await expect.poll(() => flashed(second), { timeout: 15_000 }).toBeGreaterThan(10);
    const before = await flashed(second);
    await first.close(); // mid-stream: the browser hands the leader lock to the second tab
    await waitText(second, 'sharing', 'leader (this tab leads)');
    await expect.poll(() => flashed(second), { timeout: 15_000 }).toBeGreaterThan(before + 10);
    await post('/demo/simulator', { rate: 0 });
    // Every row the server holds, as the second tab shows it: nothing lost in the handover,
    // and caught up by replay from the tab's cursor, not by loading the snapshot again.
    const server = (await (await fetch(`${origin}/demo/inventory`)).json()) as {
      sku: string;
      qty: number;
    }[];
    const want = Object.fromEntries(server.map((r) => [r.sku, String(r.qty)]));
    const shown = (): Promise<Record<string, string>> =>
      second.evaluate(() => {
        const rows: Record<string, string> = {};
        for (const tr of Array.from(document.querySelectorAll('tr[data-sku]')))
          rows[tr.getAttribute('data-sku') ?? ''] = tr.querySelector('td.qty')?.textContent ?? '';
        return rows;
      });
    await expect.poll(shown, { timeout: 15_000 }).toEqual(want);
    expect(snapshots).toEqual([]);
    await second.close();
  });

  it('a reload resumes from the cursor the tab kept', async () => {
    expect(await page.locator('[data-testid="resumed"]').count()).toBe(0); // a first connect
    await page.reload();
    await waitText(page, 'connection', 'connected');
    await waitText(page, 'resumed', 'resumed');
    await waitText(page, 'inventory-status', 'ready');
  });

  it("answers bad input to the demo's API with a 4xx that names it, and signs only demo users", async () => {
    const call = async (path: string, init?: RequestInit): Promise<[number, string]> => {
      const res = await fetch(`${origin}${path}`, init);
      const body = (await res.json()) as { error?: { message: string } };
      return [res.status, body.error?.message ?? 'ok'];
    };
    const json = (body: string): RequestInit => ({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(await call('/demo/token?user=mallory')).toEqual([
      400,
      "'user' must be one of the demo's users: dev-user, alice, bob",
    ]);
    expect((await call('/demo/token'))[0]).toBe(400);
    expect((await call('/demo/notify', json('{"user":"mallory"}')))[0]).toBe(400);
    expect(await call('/demo/notify', { method: 'POST', body: '{}' })).toEqual([
      415,
      "'content-type' must be application/json",
    ]);
    expect(await call('/demo/simulator', json('{"rate":1.5}'))).toEqual([
      400,
      "'rate' must be an integer",
    ]);
    expect(await call('/demo/simulator', json('[1]'))).toEqual([400, 'body must be a JSON object']);
    expect(await call('/demo/rows/sku-9999999', json('{"qty":1}'))).toEqual([
      400,
      "no row 'sku-9999999'",
    ]);
    expect((await call('/demo/notify', json(`{"title":"${'x'.repeat(5000)}"}`)))[0]).toBe(400);
    const signed = (await (await fetch(`${origin}/demo/token?user=bob`)).json()) as {
      user: string;
      token: string;
    };
    const claims = JSON.parse(
      Buffer.from(signed.token.split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as { sub: string; org: string };
    expect([signed.user, claims.sub, claims.org]).toEqual(['bob', 'bob', 'dev']);
  });

  it('runs the simulator at the rate set in the page, and rows flash as it publishes', async () => {
    const rate = page.locator('[data-testid="rate"]');
    await rate.fill('200');
    await rate.press('Enter');
    await expect
      .poll(() => page.locator('tr[data-flashes]').count(), { timeout: 15_000 })
      .toBeGreaterThan(20);
    await rate.fill('0');
    await rate.press('Enter');
    await expect
      .poll(async () => (await fetch(`${origin}/demo/simulator`)).json() as Promise<unknown>)
      .toEqual({ rate: 0 });
  });
});
