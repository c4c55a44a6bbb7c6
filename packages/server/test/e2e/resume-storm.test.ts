/**
 * PROTOCOL.md §2 guarantee 2 under fire: a publisher posts numbered events without pause while
 * one client drops its connection and resumes by cursor 20 times. It must see every event
 * exactly once, in order.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestNode, type TestNode } from '../helpers/test-node.js';

let t: TestNode;
beforeAll(async () => {
  t = await startTestNode();
});
afterAll(async () => {
  await t.stop();
});

interface Received {
  n: number;
  cursor: string;
}

/** One connection's life: connect (resuming from `cursor`), collect events until `stopAfter`. */
function connectOnce(
  token: string,
  cursor: string | undefined,
  onEvent: (e: Received) => boolean,
  stopAtConnected = false,
): Promise<{ resumed: boolean | undefined; head: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(t.wsUrl);
    let resumed: boolean | undefined;
    let head = '';
    ws.on('open', () =>
      ws.send(
        JSON.stringify({
          type: 'connect',
          id: 1,
          token,
          subscriptions: ['feed.>'],
          ...(cursor ? { cursor } : {}),
        }),
      ),
    );
    let wantStop = stopAtConnected;
    let connected = false;
    const stop = (): void => {
      // Drop the connection abruptly, as a network loss would.
      ws.terminate();
      resolve({ resumed, head });
    };
    ws.on('message', (data: Buffer) => {
      for (const line of data.toString().split('\n')) {
        if (line === '') continue;
        const msg = JSON.parse(line) as {
          type: string;
          resumed?: boolean;
          cursor?: string;
          data?: { n: number };
        };
        if (msg.type === 'error') reject(new Error(line));
        if (msg.type === 'connected') {
          resumed = msg.resumed;
          head = msg.cursor ?? '';
          connected = true;
          // Replayed events come before `connected`; stop only once it is read.
          if (wantStop) return stop();
        }
        if (msg.type === 'event' && msg.data !== undefined && msg.cursor !== undefined) {
          if (onEvent({ n: msg.data.n, cursor: msg.cursor })) wantStop = true;
          if (wantStop && connected) return stop();
        }
      }
    });
    ws.on('error', reject);
  });
}

it('a client that reconnects 20 times during a publish stream sees every event once, in order', async () => {
  const token = await t.token({ sub: 'reader', org: 'acme' });
  // The head before anything is published: the reader starts from there.
  const start = await connectOnce(token, undefined, () => true, true);
  let publishing = true;
  let published = 0;
  const publisher = (async () => {
    while (publishing) {
      const res = await fetch(`${t.httpUrl}/api/publish`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json' },
        // Batches of 5 so events pile up while the client is away.
        body: JSON.stringify(
          Array.from({ length: 5 }, () => ({
            org: 'acme',
            channel: `feed.${published % 3}`,
            data: { n: published++ },
          })),
        ),
      });
      expect(res.status).toBe(200);
    }
  })();

  const seen: number[] = [];
  let cursor: string | undefined = start.head;
  const resumedFlags: (boolean | undefined)[] = [];
  for (let round = 0; round < 20; round++) {
    let got = 0;
    const { resumed } = await connectOnce(token, cursor, (e) => {
      seen.push(e.n);
      cursor = e.cursor;
      return ++got >= 7;
    });
    resumedFlags.push(resumed);
  }
  publishing = false;
  await publisher;
  const total = published;
  // One last session drains the rest.
  await connectOnce(token, cursor, (e) => {
    seen.push(e.n);
    return e.n >= total - 1;
  });

  expect(resumedFlags).toEqual(new Array(20).fill(true));
  expect(seen.length).toBe(total);
  expect(seen).toEqual(Array.from({ length: total }, (_, i) => i));
});
