/**
 * A ping that is nearly due rides in the frame of an outgoing event instead of costing a write
 * of its own, and the connection then keeps working like any pinged one.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestNode, type TestNode } from '../helpers/test-node.js';

let t: TestNode;
beforeAll(async () => {
  t = await startTestNode({ pingInterval: 1, pongTimeout: 5 });
});
afterAll(() => t.stop());

it('sends a due ping in the same frame as an event', async () => {
  const token = await t.token({ sub: 'busy', org: 'acme' });
  const ws = new WebSocket(t.wsUrl);
  const publish = async (n: number): Promise<void> => {
    const res = await fetch(`${t.httpUrl}/api/publish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminKey}` },
      // Two events per request: they are queued and merged (a lone event is written at once,
      // and only queued frames carry a ping).
      body: JSON.stringify([
        { org: 'acme', channel: 'feed', data: { n, part: 1 } },
        { org: 'acme', channel: 'feed', data: { n, part: 2 } },
      ]),
    });
    expect(res.status).toBe(200);
  };
  // Publish, wait for the event, publish again: a steady stream driven by deliveries, until a
  // frame carries both an event and the ping.
  const shared = await new Promise<string[]>((resolve, reject) => {
    let n = 0;
    ws.on('message', (data: Buffer) => {
      const types = data
        .toString()
        .split('\n')
        .map((line) => (JSON.parse(line) as { type: string }).type);
      if (types.includes('ping')) ws.send('{"type":"pong"}');
      if (types.includes('event') && types.includes('ping')) return resolve(types);
      if (types.includes('connected') || types.includes('event')) publish(++n).catch(reject);
    });
    ws.on('open', () =>
      ws.send(JSON.stringify({ type: 'connect', token, subscriptions: ['feed'] })),
    );
    ws.on('close', (code) => reject(new Error(`closed ${code}`)));
  });
  expect(shared).toEqual(['event', 'event', 'ping']);
  ws.close();
});
