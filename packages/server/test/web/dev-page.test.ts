/**
 * The `--dev` web page end to end: a real node serving the page and the SDK modules, and a
 * headless Chromium driving it. Waits go through Playwright's auto-waiting locators and
 * `waitForFunction`, never fixed sleeps.
 */
import type { Browser, Page } from 'playwright-core';
import { hasChromium, launchChromium } from '../helpers/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNode, loadConfig, type HubcastNode } from '../../src/index.js';
import { createDevPageHandler } from '../../src/web/dev-page.js';
import { TEST_SECRET, signTestToken } from '../helpers/test-node.js';

const API_KEY = 'dev-page-test-key';
const SCREENSHOT = '/tmp/hubcast-dev-page.png';

interface Published {
  event_id: string;
  cursor: string;
  duplicate: boolean;
}

/** `[data-testid="id"]`, optionally with more attribute selectors appended. */
const tid = (id: string, extra = ''): string => `[data-testid="${id}"]${extra}`;

describe.skipIf(!hasChromium())('dev page (needs Chromium at /usr/bin/chromium)', () => {
  let node: HubcastNode;
  let browser: Browser;
  let page: Page;
  let baseUrl: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const token = await signTestToken({ sub: 'dev-user', org: 'dev', publish: ['>'] });
    const config = loadConfig({
      file: {
        host: '127.0.0.1',
        port: 0,
        jwtSecret: TEST_SECRET,
        apiKey: API_KEY,
        dev: true,
        logLevel: 'silent',
        log: 'memory',
        store: 'memory',
      },
      env: {},
    });
    node = createNode(config, {
      staticHandler: createDevPageHandler({ token, org: 'dev', user: 'dev-user', apiKey: API_KEY }),
    });
    await node.start();
    baseUrl = `http://127.0.0.1:${node.address().port}`;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(`console: ${msg.text()}`);
    });
    await page.goto(`${baseUrl}/`);
  });

  afterAll(async () => {
    await browser?.close();
    await node?.stop();
  });

  async function publishViaApi(channel: string, data: unknown): Promise<Published> {
    const res = await fetch(`${baseUrl}/api/publish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ org: 'dev', channel, data }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Published;
  }

  async function text(testId: string): Promise<string> {
    return ((await page.locator(tid(testId)).first().textContent()) ?? '').trim();
  }

  /** Waits until the element's text is exactly `expected`. */
  async function waitForText(testId: string, expected: string): Promise<void> {
    await page.waitForFunction(
      ([sel, want]) => document.querySelector(sel)?.textContent?.trim() === want,
      [tid(testId), expected] as const,
    );
  }

  async function subscribe(pattern: string): Promise<void> {
    await page.locator(tid('subscribe-input')).fill(pattern);
    await page.locator(tid('subscribe-button')).click();
  }

  it('serves the page, the SDK as browser modules and dev.json', async () => {
    const html = await (await fetch(`${baseUrl}/`)).text();
    expect(html).toContain('"@hubcast/client": "/sdk/client/index.js"');
    for (const path of [
      '/sdk/client/index.js',
      '/sdk/protocol/index.js',
      '/app.js',
      '/style.css',
    ]) {
      const res = await fetch(`${baseUrl}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/(javascript|css)/);
    }
    const dev = (await (await fetch(`${baseUrl}/dev.json`)).json()) as Record<string, unknown>;
    expect(dev).toMatchObject({ org: 'dev', user: 'dev-user', apiKey: API_KEY });
    expect(typeof dev['token']).toBe('string');
    expect((await fetch(`${baseUrl}/sdk/client/..%2Fpackage.json`)).status).toBe(404);
  });

  it('connects with the dev token and shows the session', async () => {
    await page.locator(tid('state', '[data-state="connected"]')).waitFor();
    expect(await text('state')).toBe('connected');
    expect(await text('user')).toBe('dev-user');
    expect(await text('org')).toBe('dev');
    expect(await text('session-id')).not.toBe('—');
    expect(await text('cursor')).not.toBe('—');
    expect(await text('endpoint')).toBe(`${baseUrl.replace('http', 'ws')}/ws`);
    expect(await text('curl-command')).toContain(`Authorization: Bearer ${API_KEY}`);
  });

  it('subscribes and shows an event published through the HTTP API, with its cursor', async () => {
    await subscribe('demo.>');
    await page
      .locator(tid('subscription-item', '[data-pattern="demo.>"]'))
      .locator(tid('subscription-state', '[data-state="subscribed"]'))
      .waitFor();

    const data = { hello: 'from the HTTP API', n: 1 };
    const published = await publishViaApi('demo.hello', data);
    const item = page.locator(tid('event-item', `[data-event-id="${published.event_id}"]`));
    await item.waitFor();
    expect(await item.locator(tid('event-channel')).textContent()).toBe('demo.hello');
    expect(await item.locator(tid('event-id')).textContent()).toBe(published.event_id);
    expect(await item.locator(tid('event-cursor')).textContent()).toBe(published.cursor);
    expect(JSON.parse((await item.locator(tid('event-data')).textContent()) ?? '')).toEqual(data);
    await waitForText('cursor', published.cursor);
    expect(await text('event-count')).toBe('1');
  });

  it('publishes from the form through the SDK and receives the event', async () => {
    await page.locator(tid('publish-channel')).fill('demo.form');
    await page.locator(tid('publish-data')).fill('{"from": "the form", "list": [1, 2, 3]}');
    await page.locator(tid('publish-button')).click();

    const item = page.locator(tid('event-item', '[data-channel="demo.form"]'));
    await item.waitFor();
    expect(JSON.parse((await item.locator(tid('event-data')).textContent()) ?? '')).toEqual({
      from: 'the form',
      list: [1, 2, 3],
    });
    const eventId = (await item.getAttribute('data-event-id')) ?? '';
    await page.waitForFunction(
      ([sel, id]) => document.querySelector(sel)?.textContent?.includes(id) === true,
      [tid('publish-result'), eventId] as const,
    );
    await waitForText('cursor', (await item.locator(tid('event-cursor')).textContent()) ?? '');
    expect(await text('event-count')).toBe('2');
    // Newest on top.
    expect(await page.locator(tid('event-item')).first().getAttribute('data-channel')).toBe(
      'demo.form',
    );
    // The HTTP helper follows the form.
    expect(await text('curl-command')).toContain('"channel":"demo.form"');
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('sends the form through the HTTP API helper', async () => {
    await page.locator(tid('publish-channel')).fill('demo.http');
    await page.locator(tid('publish-data')).fill('[true, null]');
    expect(await text('curl-command')).toContain(
      `'{"org":"dev","channel":"demo.http","data":[true,null]}'`,
    );
    await page.locator(tid('http-publish-button')).click();
    const item = page.locator(tid('event-item', '[data-channel="demo.http"]'));
    await item.waitFor();
    expect(JSON.parse((await item.locator(tid('event-data')).textContent()) ?? '')).toEqual([
      true,
      null,
    ]);
    expect(await item.locator(tid('event-from')).isHidden()).toBe(true); // not a client's publish
    await page.locator(tid('http-result')).filter({ hasText: 'HTTP 200' }).waitFor();
  });

  it('keeps the last 200 events and counts them all', async () => {
    const before = Number(await text('event-count'));
    const batch = Array.from({ length: 205 }, (_, i) => ({
      org: 'dev',
      channel: 'demo.bulk',
      data: { i },
    }));
    const res = await fetch(`${baseUrl}/api/publish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(batch),
    });
    expect(res.status).toBe(200);
    const results = (await res.json()) as Published[];
    await waitForText('event-count', String(before + 205));
    expect(await page.locator(tid('event-item')).count()).toBe(200);
    const newest = page.locator(tid('event-item')).first();
    expect(await newest.getAttribute('data-event-id')).toBe(results[204]?.event_id);
    await waitForText('cursor', results[204]?.cursor ?? '');
  });

  it('shows invalid JSON and server refusals inline', async () => {
    await page.locator(tid('publish-data')).fill('{"oops": ');
    await page.locator(tid('publish-button')).click();
    await page.locator(tid('publish-error', '[data-code="bad_request"]')).waitFor();
    expect(await text('publish-error')).toContain('not valid JSON');

    // Personal channels are the HTTP API's, never a client's (PROTOCOL.md §1).
    await page.locator(tid('publish-channel')).fill('user.dev-user.inbox');
    await page.locator(tid('publish-data')).fill('{"ok": true}');
    await page.locator(tid('publish-button')).click();
    await page.locator(tid('publish-error', '[data-code="forbidden"]')).waitFor();

    // Another user's personal channel cannot be subscribed to.
    await subscribe('user.bob');
    await page.locator(tid('subscribe-error', '[data-code="forbidden"]')).waitFor();
    await page
      .locator(tid('subscription-item', '[data-pattern="user.bob"]'))
      .waitFor({ state: 'detached' });

    await subscribe('demo..bad');
    await page.locator(tid('subscribe-error', '[data-code="bad_request"]')).waitFor();
  });

  it('unsubscribes, clears the log, and disconnects and reconnects', async () => {
    await page
      .locator(tid('subscription-item', '[data-pattern="demo.>"]'))
      .locator(tid('unsubscribe-button'))
      .click();
    await page
      .locator(tid('subscription-item', '[data-pattern="demo.>"]'))
      .waitFor({ state: 'detached' });

    await page.locator(tid('clear-button')).click();
    expect(await page.locator(tid('event-item')).count()).toBe(0);
    expect(await text('event-count')).toBe('0');

    await page.locator(tid('disconnect-button')).click();
    await page.locator(tid('state', '[data-state="disconnected"]')).waitFor();
    await page.locator(tid('connect-button')).click();
    await page.locator(tid('state', '[data-state="connected"]')).waitFor();

    // Live again: a new subscription gets events.
    await subscribe('demo.again');
    await page
      .locator(tid('subscription-item', '[data-pattern="demo.again"]'))
      .locator(tid('subscription-state', '[data-state="subscribed"]'))
      .waitFor();
    const published = await publishViaApi('demo.again', null);
    await page.locator(tid('event-item', `[data-event-id="${published.event_id}"]`)).waitFor();
    await waitForText('cursor', published.cursor);
    expect(pageErrors).toEqual([]);
  });
});
