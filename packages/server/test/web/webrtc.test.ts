/**
 * The WebRTC example (`examples/webrtc`, docs/ephemeral.md §10) end to end: a real node serving
 * the page as `--dev` does, and two users in two Chromium contexts. Alice calls Bob; offer,
 * answer and ICE candidates go through `signal.send`, and the data channel opens over
 * loopback. The page's `loopback=1` signals only 127.0.0.1 candidates, and Chromium is told to
 * gather them (`--allow-loopback-in-peer-connection`), so nothing leaves the machine. Waits are
 * Playwright's, never sleeps.
 */
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { hasChromium, launchChromium } from '../helpers/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNode, loadConfig, type HubcastNode } from '../../src/index.js';
import { createDevPageHandler } from '../../src/web/dev-page.js';
import { createExamplesHandler, webrtcExampleRoot } from '../../src/web/examples-page.js';
import { TEST_SECRET } from '../helpers/test-node.js';

const API_KEY = 'webrtc-test-key';

const tid = (id: string): string => `[data-testid="${id}"]`;

describe.skipIf(!hasChromium())('WebRTC example (needs Chromium at /usr/bin/chromium)', () => {
  let node: HubcastNode;
  let browser: Browser;
  let baseUrl: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
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
    const page = createDevPageHandler({
      token: '',
      org: 'dev',
      user: 'dev-user',
      apiKey: API_KEY,
    });
    const examples = createExamplesHandler({ jwtSecret: TEST_SECRET, org: 'dev' });
    node = createNode(config, {
      staticHandler: (req, res) => page(req, res) || examples(req, res),
    });
    await node.start();
    baseUrl = `http://127.0.0.1:${node.address().port}`;
    browser = await launchChromium([
      // Loopback candidates, as plain addresses (not mDNS names), for a call on one machine.
      '--allow-loopback-in-peer-connection',
      '--disable-features=WebRtcHideLocalIpsWithMdns',
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await node?.stop();
  });

  async function open(user: string): Promise<Page> {
    const context = await browser.newContext();
    // Granted camera and microphone let WebRTC list every network, loopback included (without
    // them a page is offered only the default route's address).
    await context.grantPermissions(['camera', 'microphone'], { origin: baseUrl });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(`${user} pageerror: ${error.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(`${user} console: ${msg.text()}`);
    });
    await page.goto(`${baseUrl}/examples/webrtc?user=${user}&loopback=1`);
    await waitForText(page, 'client-state', 'connected');
    return page;
  }

  async function waitForText(page: Page, testId: string, expected: string): Promise<void> {
    try {
      await page.waitForFunction(
        ([sel, want]) => document.querySelector(sel)?.textContent?.trim() === want,
        [tid(testId), expected] as const,
      );
    } catch (err) {
      const log = await page.locator(tid('log')).textContent();
      throw new Error(
        `${testId} never became '${expected}'; page log:\n${log}\n${pageErrors.join('\n')}`,
        {
          cause: err,
        },
      );
    }
  }

  it('serves the page and its script in dev mode, and a token per user', async () => {
    const html = await (await fetch(`${baseUrl}/examples/webrtc`)).text();
    expect(html).toContain('/examples/webrtc/call.js');
    expect(html).toContain('"@hubcast/client": "/sdk/client/index.js"');
    const js = await fetch(`${baseUrl}/examples/webrtc/call.js`);
    expect(js.headers.get('content-type')).toContain('text/javascript');
    const token = await fetch(`${baseUrl}/examples/webrtc/token?user=alice`);
    expect(await token.json()).toMatchObject({ user: 'alice', org: 'dev' });
    expect((await fetch(`${baseUrl}/examples/webrtc/token?user=a.b`)).status).toBe(400);
    expect((await fetch(`${baseUrl}/examples/webrtc/missing.js`)).status).toBe(404);
    expect(existsSync(webrtcExampleRoot())).toBe(true);
  });

  it('connects two users: offer, answer and ICE over signal.send, then the data channel opens', async () => {
    const alice = await open('alice');
    const bob = await open('bob');
    await alice.locator(tid('peer-input')).fill('bob');
    await alice.locator(tid('call-button')).click();
    for (const page of [alice, bob]) {
      await waitForText(page, 'channel-state', 'open');
      await waitForText(page, 'connection-state', 'connected');
    }
    // Each side greets the other over the data channel once it opens.
    await waitForText(alice, 'received', 'hello from bob');
    await waitForText(bob, 'received', 'hello from alice');
    await waitForText(bob, 'peer', 'alice');
    await alice.locator(tid('chat-input')).fill('over the wire');
    await alice.locator(tid('chat-button')).click();
    await waitForText(bob, 'received', 'over the wire');
    // Only loopback candidates went out (`loopback=1`): the call never left the machine.
    for (const page of [alice, bob]) {
      const signalled = [
        ...((await page.locator(tid('log')).textContent()) ?? '').matchAll(
          /candidate (\S+) signalled/g,
        ),
      ].map((m) => m[1]);
      expect(signalled.length).toBeGreaterThan(0);
      for (const address of signalled) expect(['127.0.0.1', '[::1]', '::1']).toContain(address);
    }
    // Signals are ephemeral: nothing of the call is in the log.
    const history = await fetch(`${baseUrl}/api/history?org=dev&channel=user.%3E`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    expect(await history.json()).toMatchObject({ events: [] });
    expect(pageErrors).toEqual([]);
  });
});
