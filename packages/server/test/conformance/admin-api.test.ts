/**
 * Conformance: the admin console's API and page (docs/admin.md): `GET /api/admin/series` and
 * `GET /api/admin/channels` take the admin key only (no key 401, a tenant key 403), and answer
 * the node's samples and an org's subscriptions; `/admin` is served with a strict CSP.
 */
import { describe, expect, it } from 'vitest';
import type { Sample } from '../../src/admin/admin-types.js';
import type { TestNode } from '../helpers/test-node.js';
import {
  anyString,
  connectClient,
  httpRequest,
  publishHttp,
  useTestNodes,
} from '../helpers/ws-client.js';

const start = useTestNodes();
const ACME_KEY = 'acme-tenant-key-0123456789';
const tenantKeys = { apiKeys: [{ key: ACME_KEY, org: 'acme' }] };

interface SeriesBody {
  now: number;
  nodes: { node: string; samples: Sample[] }[];
}

/** Reads the series until `found` picks a sample (the sampler takes one a second). */
async function untilSample(
  node: TestNode,
  found: (s: Sample) => boolean,
  timeoutMs = 8000,
): Promise<Sample> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await httpRequest(node, 'GET', '/api/admin/series');
    const hit = (res.body as SeriesBody).nodes.flatMap((n) => n.samples).find(found);
    if (hit !== undefined) return hit;
    if (Date.now() > deadline) throw new Error(`no such sample in ${res.text.slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('admin API: who may call it', () => {
  it.each(['/api/admin/series', '/api/admin/channels?org=acme'])(
    '%s: 401 without a key, 403 with a tenant key',
    async (path) => {
      const node = await start(tenantKeys);
      const none = await httpRequest(node, 'GET', path, { key: null });
      expect({ status: none.status, body: none.body }).toEqual({
        status: 401,
        body: { error: { code: 'unauthorized', message: anyString } },
      });
      const tenant = await httpRequest(node, 'GET', path, { key: ACME_KEY });
      expect({ status: tenant.status, body: tenant.body }).toEqual({
        status: 403,
        body: { error: { code: 'forbidden', message: anyString } },
      });
      const admin = await httpRequest(node, 'GET', path);
      expect(admin.status).toBe(200);
    },
  );
});

describe('GET /api/admin/series', () => {
  it("answers this node's samples, with a tenant's events and deliveries once they happen", async () => {
    const node = await start();
    const client = await connectClient(
      node,
      { sub: 'u1', org: 'acme' },
      { subscriptions: ['room.>'] },
    );
    for (let i = 0; i < 5; i++) await publishHttp(node, 'acme', 'room.a', { i });
    for (let i = 0; i < 5; i++) await client.next('event');
    const sample = await untilSample(node, (s) => (s.tenants['acme']?.deliveries_per_s ?? 0) > 0);
    expect(sample).toEqual({
      t: expect.any(Number) as number,
      connections: 1,
      events_per_s: expect.any(Number) as number,
      deliveries_per_s: expect.any(Number) as number,
      queue_drops: 0,
      ephemeral_drops: 0,
      lag_p99_ms: expect.any(Number) as number,
      tenants: {
        acme: {
          connections: 1,
          events_per_s: expect.any(Number) as number,
          deliveries_per_s: expect.any(Number) as number,
          queue_drops: 0,
          ephemeral_drops: 0,
          lag_p99_ms: expect.any(Number) as number,
        },
      },
    });
    // All five events fall in one or two samples: their rates add up to five per second-ish.
    const all = (await httpRequest(node, 'GET', '/api/admin/series')).body as SeriesBody;
    expect(all.nodes).toHaveLength(1);
    expect(all.nodes[0]?.node).toEqual(anyString);
    const samples = all.nodes[0]?.samples ?? [];
    const events = samples.reduce((n, s) => n + (s.tenants['acme']?.events_per_s ?? 0), 0);
    expect(events).toBeGreaterThan(0);
    // `since` answers only the later samples.
    const since = samples[samples.length - 2]?.t ?? 0;
    const later = (await httpRequest(node, 'GET', `/api/admin/series?since=${since}`))
      .body as SeriesBody;
    expect(later.nodes[0]?.samples.every((s) => s.t > since)).toBe(true);
    expect(later.nodes[0]?.samples.length).toBeGreaterThanOrEqual(1);
  });

  it("counts a slow consumer's drop (4001) under its own tenant", async () => {
    const node = await start({ maxQueueMessages: 5 });
    const slow = await connectClient(
      node,
      { sub: 'slow', org: 'acme' },
      { subscriptions: ['q.>'] },
    );
    await connectClient(node, { sub: 'calm', org: 'other' }, { subscriptions: ['q.>'] });
    // One append of more events than the send queue may hold: queued in one turn, past it.
    const burst = Array.from({ length: 20 }, (_, n) => ({ org: 'acme', channel: 'q.1', data: n }));
    expect((await httpRequest(node, 'POST', '/api/publish', { json: burst })).status).toBe(200);
    expect((await slow.closed).code).toBe(4001);
    const sample = await untilSample(node, (s) => s.queue_drops > 0);
    expect(sample.tenants['acme']?.queue_drops).toBe(1);
    expect(sample.tenants['other']?.queue_drops ?? 0).toBe(0);
  });

  it.each(['-1', 'abc', '1.5', '99999999999999999999'])('refuses since=%s (400)', async (since) => {
    const node = await start();
    const res = await httpRequest(node, 'GET', `/api/admin/series?since=${since}`);
    expect({ status: res.status, body: res.body }).toEqual({
      status: 400,
      body: { error: { code: 'bad_request', message: expect.stringMatching(/'since'/) as string } },
    });
  });
});

describe('GET /api/admin/channels', () => {
  it("lists an org's subscribed patterns with subscriber counts, busiest first, paged", async () => {
    const node = await start();
    await connectClient(node, { sub: 'a', org: 'acme' }, { subscriptions: ['room.a', 'room.b'] });
    await connectClient(node, { sub: 'b', org: 'acme' }, { subscriptions: ['room.a'] });
    await connectClient(node, { sub: 'c', org: 'acme' }, { subscriptions: ['room.a', 'news.>'] });
    await connectClient(node, { sub: 'd', org: 'other' }, { subscriptions: ['room.a'] });
    const res = await httpRequest(node, 'GET', '/api/admin/channels?org=acme');
    expect({ status: res.status, body: res.body }).toEqual({
      status: 200,
      body: {
        org: 'acme',
        offset: 0,
        channels: [
          { channel: 'room.a', subscribers: 3 },
          { channel: 'news.>', subscribers: 1 },
          { channel: 'room.b', subscribers: 1 },
        ],
        total: 3,
        truncated: false,
        nodes: 1,
      },
    });
    const page = await httpRequest(node, 'GET', '/api/admin/channels?org=acme&offset=1&limit=1');
    expect(page.body).toMatchObject({
      offset: 1,
      channels: [{ channel: 'news.>', subscribers: 1 }],
      total: 3,
    });
  });

  it.each([
    ['', /'org'/],
    ['?org=bad org', /'org'/],
    ['?org=acme&limit=0', /'limit'/],
    ['?org=acme&limit=201', /'limit'/],
    ['?org=acme&offset=-3', /'offset'/],
  ])('refuses %s (400)', async (query, message) => {
    const node = await start();
    const res = await httpRequest(node, 'GET', `/api/admin/channels${query}`);
    expect({ status: res.status, body: res.body }).toEqual({
      status: 400,
      body: { error: { code: 'bad_request', message: expect.stringMatching(message) as string } },
    });
  });
});

describe('the /admin page', () => {
  it('is served without a key, holds none, and comes with a strict CSP', async () => {
    const node = await start();
    const res = await fetch(`${node.httpUrl}/admin`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).not.toContain(node.adminKey);
    expect(html).toContain('/admin/app.js');
    for (const path of ['/admin/app.js', '/admin/charts.js', '/admin/uplot/uPlot.esm.js']) {
      const asset = await fetch(`${node.httpUrl}${path}`);
      expect({ path, status: asset.status, type: asset.headers.get('content-type') }).toEqual({
        path,
        status: 200,
        type: 'text/javascript; charset=utf-8',
      });
    }
    // Only the listed files: no path reaches the disk.
    for (const path of ['/admin/../package.json', '/admin/index.html', '/admin/nope.js'])
      expect((await fetch(`${node.httpUrl}${path}`)).status).toBe(404);
  });
});
