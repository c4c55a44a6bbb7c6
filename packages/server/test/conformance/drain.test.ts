/**
 * Conformance: graceful drain (PROTOCOL.md §5 `reconnect`, §7 4000, §8 "while draining").
 */
import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '@hubcast/protocol';
import { errorReply } from '../helpers/conformance-fixtures.js';
import {
  anyNumber,
  anyString,
  connectClient,
  httpRequest,
  upgradeStatus,
  useTestNodes,
} from '../helpers/ws-client.js';

const start = useTestNodes();

describe('drain', () => {
  it('sends every client `reconnect` {delay_ms, reason:"shutdown"}, then closes it with 4000', async () => {
    const node = await start({ shutdownTimeout: 2 });
    const clients = [
      await connectClient(node, { sub: 'alice', org: 'acme' }, { subscriptions: ['news.>'] }),
      await connectClient(node, { sub: 'bob', org: 'acme' }),
      await connectClient(node, { sub: 'eve', org: 'globex' }),
    ];
    const draining = node.node.drain();
    for (const c of clients) {
      const closed = await c.waitClosed(5000);
      const rest = c.pending().filter((m) => m.type !== 'ping');
      expect(rest).toEqual([{ type: 'reconnect', delay_ms: anyNumber, reason: 'shutdown' }]);
      const reconnect = rest[0] as ServerMessage & { delay_ms: number };
      expect(Number.isInteger(reconnect.delay_ms)).toBe(true);
      expect(reconnect.delay_ms).toBeGreaterThanOrEqual(0);
      expect(closed.code).toBe(4000);
    }
    await draining;
  });

  it('answers /readyz 503, new upgrades 503 and HTTP publishes 503 unavailable while draining', async () => {
    const node = await start({ shutdownTimeout: 3 });
    // a client that stops reading keeps the drain from finishing while we look
    const stuck = await connectClient(node, { sub: 'slow', org: 'acme' });
    expect((await httpRequest(node, 'GET', '/readyz', { key: null })).status).toBe(200);
    stuck.pauseReading();
    const draining = node.node.drain();
    expect((await httpRequest(node, 'GET', '/readyz', { key: null })).status).toBe(503);
    expect((await httpRequest(node, 'GET', '/healthz', { key: null })).status).toBe(200);
    expect(await upgradeStatus(node.wsUrl)).toBe(503);
    const res = await httpRequest(node, 'POST', '/api/publish', {
      json: { org: 'acme', channel: 'news.a', data: 1 },
    });
    expect({ status: res.status, body: res.body }).toEqual({
      status: 503,
      body: { error: { code: 'unavailable', message: anyString } },
    });
    stuck.resumeReading();
    await draining;
  });

  it('answers a WebSocket publish that reaches the draining server with unavailable', async () => {
    const node = await start({ shutdownTimeout: 2 });
    const c = await connectClient(node, { sub: 'alice', org: 'acme', publish: ['>'] });
    const draining = node.node.drain();
    await c.next('reconnect');
    c.send({ type: 'publish', id: 7, channel: 'news.a', data: 1 });
    // §4: the publish gets `unavailable`; the server may also have closed (4000) before reading it
    const outcome = await c.reply(7, 5000).then(
      (reply) => ({ reply }),
      async () => ({ closedFirst: (await c.waitClosed(5000)).code }),
    );
    if ('reply' in outcome) expect(outcome.reply).toEqual(errorReply(7, 'unavailable'));
    else expect(outcome.closedFirst).toBe(4000);
    expect(c.messages.some((m) => m.type === 'published')).toBe(false);
    expect((await c.waitClosed(5000)).code).toBe(4000);
    await draining;
  });
});
