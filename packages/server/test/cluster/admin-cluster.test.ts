/**
 * The admin console over a cluster (docs/admin.md): two real nodes on one real `redis-server`;
 * either node's `GET /api/admin/series` lists both nodes' samples, each with its own
 * connections, and `GET /api/admin/channels` sums an org's subscribers over both; the page
 * opened on one node shows both.
 */
import { describe, expect, it } from 'vitest';
import type { NodeSeries } from '../../src/admin/admin-types.js';
import { hasChromium, launchChromium } from '../helpers/chromium.js';
import { useSharedRedis } from '../helpers/redis.js';
import type { TestNode } from '../helpers/test-node.js';
import { connectClient, httpRequest, useTestNodes } from '../helpers/ws-client.js';

const redisServer = useSharedRedis();
const startNode = useTestNodes();
const startCluster = (count: number): Promise<TestNode[]> =>
  Promise.all(
    Array.from({ length: count }, () =>
      startNode({ engine: 'redis', redisUrl: redisServer().url, store: 'memory' }),
    ),
  );

/** Reads `node`'s series until `done` holds (the sampler takes one sample a second). */
async function untilSeries(
  node: TestNode,
  done: (nodes: NodeSeries[]) => boolean,
  timeoutMs = 8000,
): Promise<NodeSeries[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await httpRequest(node, 'GET', '/api/admin/series');
    expect(res.status).toBe(200);
    const { nodes } = res.body as { nodes: NodeSeries[] };
    if (done(nodes)) return nodes;
    if (Date.now() > deadline) throw new Error(`series never matched: ${res.text.slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const latestConnections = (series: NodeSeries): number | undefined =>
  series.samples[series.samples.length - 1]?.tenants['acme']?.connections;

describe('the admin console on a cluster of two nodes', () => {
  it("lists both nodes' series, each with its own connections, from either node", async () => {
    const [a, b] = (await startCluster(2)) as [TestNode, TestNode];
    await connectClient(a, { sub: 'a1', org: 'acme' }, { subscriptions: ['room.1'] });
    await connectClient(b, { sub: 'b1', org: 'acme' }, { subscriptions: ['room.1'] });
    await connectClient(b, { sub: 'b2', org: 'acme' }, { subscriptions: ['room.2'] });
    const nodes = await untilSeries(a, (list) => {
      const counts = list.map(latestConnections).sort();
      return list.length === 2 && counts[0] === 1 && counts[1] === 2;
    });
    expect(new Set(nodes.map((n) => n.node)).size).toBe(2);
    // The other node answers the same two.
    const fromB = await untilSeries(b, (list) => list.length === 2);
    expect(fromB.map((n) => n.node).sort()).toEqual(nodes.map((n) => n.node).sort());

    const channels = await httpRequest(a, 'GET', '/api/admin/channels?org=acme');
    expect(channels.body).toEqual({
      org: 'acme',
      offset: 0,
      channels: [
        { channel: 'room.1', subscribers: 2 },
        { channel: 'room.2', subscribers: 1 },
      ],
      total: 2,
      truncated: false,
      nodes: 2,
    });
  });

  it.skipIf(!hasChromium())('shows both nodes in one console (needs Chromium)', async () => {
    const [a, b] = (await startCluster(2)) as [TestNode, TestNode];
    await connectClient(b, { sub: 'b1', org: 'acme' });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      page.setDefaultTimeout(10_000);
      await page.goto(`${a.httpUrl}/admin`);
      await page.fill('[data-testid="key-input"]', a.adminKey);
      await page.click('[data-testid="key-submit"]');
      const rows = page.locator('[data-testid="nodes-table"] tbody tr');
      await page.waitForFunction(
        () => document.querySelectorAll('[data-testid="nodes-table"] tbody tr').length === 2,
      );
      const ids = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-node')));
      const series = await untilSeries(b, (list) => list.length === 2);
      expect(ids.sort()).toEqual(series.map((n) => n.node).sort());
      // Each node is a line of its own on the charts (uPlot's legend: time, then the series).
      await page.waitForFunction(
        () =>
          document.querySelectorAll('[data-testid="chart-connections"] .u-legend .u-series')
            .length === 3,
      );
    } finally {
      await browser.close();
    }
  });
});
