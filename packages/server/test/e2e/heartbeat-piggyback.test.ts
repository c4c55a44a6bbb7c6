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

it.each([
  ['a lone event', 1],
  ['an array on one channel', 2],
])('sends a due ping in the same frame as %s', async (_shape, perRequest) => {
  const token = await t.token({ sub: `busy${perRequest}`, org: 'acme' });
  const ws = new WebSocket(t.wsUrl);
  const channel = `feed${perRequest}`;
  const publish = async (n: number): Promise<void> => {
    const res = await fetch(`${t.httpUrl}/api/publish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminKey}` },
      // Either shape is written straight to the socket while no ping is near; once one is
      // due, the publish goes through the flush pass, which sends the ping along.
      body: JSON.stringify(
        Array.from({ length: perRequest }, (_, i) => ({
          org: 'acme',
          channel,
          data: { n, part: i + 1 },
        })),
      ),
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
      ws.send(JSON.stringify({ type: 'connect', token, subscriptions: [channel] })),
    );
    ws.on('close', (code) => reject(new Error(`closed ${code}`)));
  });
  expect(shared).toEqual([...Array.from({ length: perRequest }, () => 'event'), 'ping']);
  ws.close();
});
