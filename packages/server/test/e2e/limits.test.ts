/**
 * The limits a production node needs (issue 10): a node-wide connection cap, a cap on sockets
 * per client address that never authenticate, HTTP timeouts against slow and idle peers, the
 * auth deadline that really frees the socket, and per-tenant quotas for connections and
 * publishes. Each refusal says why and is counted in `hubcast_limits_tripped_total`.
 */
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { metricValue } from '../helpers/metric-wait.js';
import { upgradeRequest } from '../helpers/raw-peer.js';
import type { TestNode } from '../helpers/test-node.js';
import {
  connectClient,
  httpRequest,
  openClient,
  upgradeStatus,
  useTestNodes,
} from '../helpers/ws-client.js';

const start = useTestNodes();

/** A raw TCP peer, for what a WebSocket library would not do. Resolves once connected. */
function rawSocket(node: TestNode): Promise<Socket & { gone: Promise<void> }> {
  return new Promise((resolve) => {
    const s = connect(Number(new URL(node.httpUrl).port), '127.0.0.1', () =>
      resolve(Object.assign(s, { gone })),
    );
    const gone = new Promise<void>((done) => s.on('close', () => done()));
    s.on('error', () => undefined);
  });
}

const tripped = (node: TestNode, limit: string): Promise<number> =>
  metricValue(node.node, 'hubcast_limits_tripped_total', { limit });

describe('--max-connections', () => {
  it('refuses upgrades past the cap with 503 and Retry-After, and takes them again below it', async () => {
    const node = await start({ maxConnections: 2 });
    const a = await openClient(node.wsUrl);
    await openClient(node.wsUrl);
    const refused = await fetchUpgrade(node);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await tripped(node, 'max_connections')).toBe(1);
    a.close();
    await a.closed;
    expect(await upgradeStatus(node.wsUrl)).toBe(101);
  });
});

describe('--max-unauthenticated-per-ip', () => {
  it('refuses a third socket that has not authenticated, and counts an authenticated one out', async () => {
    const node = await start({ maxUnauthenticatedPerIp: 2 });
    const first = await openClient(node.wsUrl);
    await openClient(node.wsUrl);
    expect(await upgradeStatus(node.wsUrl)).toBe(429);
    expect(await tripped(node, 'unauthenticated_per_ip')).toBe(1);
    // Authenticated, the first socket no longer counts against its address.
    first.send({ type: 'connect', id: 1, token: await node.token({ sub: 'a', org: 'acme' }) });
    expect(await first.reply(1)).toMatchObject({ type: 'connected' });
    expect(await upgradeStatus(node.wsUrl)).toBe(101);
  });
});

describe('--auth-timeout', () => {
  it('frees the socket of a peer that never authenticates nor answers the close', async () => {
    const node = await start({ authTimeout: 0.2 });
    const peer = await rawSocket(node);
    peer.write(UPGRADE);
    // The peer reads (so the close frame reaches it) but never answers it: only the server's
    // own deadline can end the socket, where ws alone would wait 30 s.
    peer.resume();
    await peer.gone;
    expect(await metricValue(node.node, 'hubcast_connection_closes_total', { code: '4500' })).toBe(
      1,
    );
  });
});

describe('HTTP timeouts', () => {
  it('drops a peer that sends its headers too slowly (--http-headers-timeout)', async () => {
    const node = await start({ httpHeadersTimeout: 0.3, httpRequestTimeout: 1 });
    const peer = await rawSocket(node);
    peer.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    let answer = '';
    peer.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    await peer.gone;
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes an idle keep-alive connection (--http-keep-alive-timeout)', async () => {
    const node = await start({ httpKeepAliveTimeout: 0.2 });
    const peer = await rawSocket(node);
    peer.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    let answer = '';
    peer.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    await peer.gone;
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toMatch(/keep-alive: timeout=0/i);
  });
});

describe('tenant quotas', () => {
  it('refuses connections past the tenant cap with limit_exceeded and 4003, other tenants not', async () => {
    const node = await start({ tenantQuotas: [{ org: 'acme', maxConnections: 1 }] });
    await connectClient(node, { sub: 'a', org: 'acme' });
    const second = await openClient(node.wsUrl);
    second.send({ type: 'connect', id: 1, token: await node.token({ sub: 'b', org: 'acme' }) });
    expect(await second.reply(1)).toMatchObject({ type: 'error', code: 'limit_exceeded' });
    expect((await second.waitClosed()).code).toBe(4003);
    expect(await tripped(node, 'tenant_connections')).toBe(1);
    await connectClient(node, { sub: 'b', org: 'globex' });
  });

  it('answers publishes past the tenant rate with 429, Retry-After and retry_after', async () => {
    const node = await start({ tenantPublishRate: 0.5, tenantPublishBurst: 3 });
    const publish = (org: string) =>
      httpRequest(node, 'POST', '/api/publish', { json: { org, channel: 'a', data: 1 } });
    for (let i = 0; i < 3; i++) expect((await publish('acme')).status).toBe(200);
    const refused = await publish('acme');
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      error: {
        code: 'limit_exceeded',
        message: expect.stringContaining('publish rate') as unknown,
        retry_after: expect.closeTo(2, 0) as unknown,
      },
    });
    const res = await fetch(`${node.httpUrl}/api/publish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${node.adminKey}` },
      body: JSON.stringify({ org: 'acme', channel: 'a', data: 1 }),
    });
    expect(res.headers.get('retry-after')).toBe('2');
    // The client's publishes share the tenant's budget; other tenants have their own.
    const alice = await connectClient(node, { sub: 'alice', org: 'acme', publish: ['>'] });
    expect(await alice.request({ type: 'publish', channel: 'a', data: 1 })).toMatchObject({
      type: 'error',
      code: 'limit_exceeded',
      retry_after: expect.any(Number) as unknown,
    });
    expect((await publish('globex')).status).toBe(200);
    expect(await tripped(node, 'tenant_publish_rate')).toBe(3);
  });
});

describe('tenant quotas and arrays', () => {
  it('refuses an array whole when one of its tenants is over quota', async () => {
    const node = await start({
      tenantQuotas: [{ org: 'busy', publishRate: 0.1, publishBurst: 1 }],
    });
    const item = (org: string) => ({ org, channel: 'a', data: org });
    expect((await httpRequest(node, 'POST', '/api/publish', { json: item('busy') })).status).toBe(
      200,
    );
    const refused = await httpRequest(node, 'POST', '/api/publish', {
      json: [item('calm'), item('busy')],
    });
    expect(refused.status).toBe(429);
    const history = await httpRequest(node, 'GET', '/api/history?org=calm&channel=a');
    expect(history.body).toMatchObject({ events: [] });
  });
});

const UPGRADE = upgradeRequest('/ws');

/** An upgrade request through fetch's plain HTTP path: the refusal's status and headers. */
async function fetchUpgrade(node: TestNode): Promise<{ status: number; headers: Headers }> {
  const peer = await rawSocket(node);
  peer.write(UPGRADE);
  let text = '';
  peer.on('data', (d: Buffer) => (text += d.toString('latin1')));
  await peer.gone;
  const [statusLine = '', ...lines] = text.split('\r\n\r\n')[0]?.split('\r\n') ?? [];
  const headers = new Headers();
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i > 0) headers.set(l.slice(0, i).trim(), l.slice(i + 1).trim());
  }
  return { status: Number(statusLine.split(' ')[1]), headers };
}
