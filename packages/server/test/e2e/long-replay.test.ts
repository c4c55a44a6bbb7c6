/**
 * A resume that replays far more than the send-queue bound must wait for the socket to drain
 * between chunks, not close the client as a slow consumer (4001).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestNode, type TestNode } from '../helpers/test-node.js';

let t: TestNode;
beforeAll(async () => {
  t = await startTestNode({ maxQueueBytes: 16 * 1024, historySize: 5000 });
});
afterAll(() => t.stop());

it('replays 2,000 events of 1 KB (125x the 16 KB queue bound) in order, then goes live', async () => {
  const token = await t.token({ sub: 'reader', org: 'acme' });
  const headers = { authorization: `Bearer ${t.adminKey}` };
  const first = (await (
    await fetch(`${t.httpUrl}/api/publish`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ org: 'acme', channel: 'big.0', data: { n: 0 } }),
    })
  ).json()) as { cursor: string };
  const pad = 'x'.repeat(1000);
  // 50 per request keeps each body under the 64 KB max-message-bytes.
  for (let batch = 0; batch < 40; batch++) {
    const items = Array.from({ length: 50 }, (_, i) => ({
      org: 'acme',
      channel: 'big.1',
      data: { n: 1 + batch * 50 + i, pad },
    }));
    const res = await fetch(`${t.httpUrl}/api/publish`, {
      method: 'POST',
      headers,
      body: JSON.stringify(items),
    });
    expect(res.status).toBe(200);
  }

  const ws = new WebSocket(t.wsUrl);
  const seen: number[] = [];
  const outcome = new Promise<{ connected: boolean; closeCode?: number }>((resolve) => {
    ws.on('message', (data: Buffer) => {
      for (const line of data.toString().split('\n')) {
        const msg = JSON.parse(line) as { type: string; data?: { n: number } };
        if (msg.type === 'event' && msg.data !== undefined) seen.push(msg.data.n);
        if (msg.type === 'connected') resolve({ connected: true });
      }
    });
    ws.on('close', (code) => resolve({ connected: false, closeCode: code }));
  });
  ws.on('open', () =>
    ws.send(
      JSON.stringify({ type: 'connect', token, cursor: first.cursor, subscriptions: ['big.>'] }),
    ),
  );
  expect(await outcome).toEqual({ connected: true });
  expect(seen).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
  ws.close();
});
