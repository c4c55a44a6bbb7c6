/**
 * Replays that stall on a client that stops reading: more bytes than the loopback buffers hold,
 * so the server's replay waits for the socket between chunks and other work runs meanwhile.
 * The client pauses its socket (`ws.pause()`), work happens, then it reads again.
 */
import { afterEach, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestNode, type TestNode } from '../helpers/test-node.js';

let t: TestNode | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

/** Well past what a paused peer's socket buffers absorb on loopback (a few MB). */
const STALL_BYTES = 16 * 1024 * 1024;

interface Line {
  type: string;
  code?: string;
  data?: { n: number };
}

async function post(node: TestNode, body: unknown): Promise<{ cursor: string }[]> {
  const res = await fetch(`${node.httpUrl}/api/publish`, {
    method: 'POST',
    headers: { authorization: `Bearer ${node.adminKey}` },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { cursor: string }[];
}

/** Publishes events numbered `from`, `from + 1`, … on `channel`, `perRequest` to a request. */
async function publishNumbered(
  node: TestNode,
  channel: string,
  from: number,
  count: number,
  perRequest: number,
  pad = '',
): Promise<void> {
  for (let n = from; n < from + count; n += perRequest) {
    const size = Math.min(perRequest, from + count - n);
    await post(
      node,
      Array.from({ length: size }, (_, i) => ({
        org: 'acme',
        channel,
        data: pad === '' ? { n: n + i } : { n: n + i, pad },
      })),
    );
  }
}

/** A raw client that records every line and its close code. */
function open(node: TestNode): {
  ws: WebSocket;
  lines: Line[];
  opened: Promise<void>;
  closed: Promise<number>;
  until: (test: (line: Line) => boolean) => Promise<void>;
} {
  const ws = new WebSocket(node.wsUrl);
  const lines: Line[] = [];
  const waiters: { test: (l: Line) => boolean; resolve: () => void }[] = [];
  ws.on('message', (data: Buffer) => {
    for (const text of data.toString().split('\n')) {
      const line = JSON.parse(text) as Line;
      lines.push(line);
      for (let i = waiters.length - 1; i >= 0; i--) {
        const w = waiters[i];
        if (w !== undefined && w.test(line)) {
          waiters.splice(i, 1);
          w.resolve();
        }
      }
    }
  });
  const opened = new Promise<void>((resolve) => ws.on('open', () => resolve()));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  const until = (test: (line: Line) => boolean): Promise<void> =>
    lines.some(test)
      ? Promise.resolve()
      : new Promise((resolve) => waiters.push({ test, resolve }));
  return { ws, lines, opened, closed, until };
}

/**
 * Resolves once the node's hub holds `count` subscriptions. A replay starts right after its
 * subscriptions enter the hub and runs without yielding until the paused socket stops it, so
 * from here on the replay is stalled. Nothing to await on the wire: the client reads nothing.
 */
async function untilSubscriptions(node: TestNode, count: number): Promise<void> {
  const gauge = node.node.metrics.registry.getSingleMetric('hubcast_subscriptions');
  if (gauge === undefined) throw new Error('no hubcast_subscriptions gauge');
  for (;;) {
    const { values } = await gauge.get();
    if ((values[0]?.value ?? 0) >= count) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const numbers = (lines: readonly Line[]): number[] =>
  lines.flatMap((l) => (l.type === 'event' && l.data !== undefined ? [l.data.n] : []));

// Arrays fan out in runs (one channel matched once, each recipient taking the run at once).
// Runs that reach a connection while its `subscribe` replay is stalled must wait in the
// session's buffer and come out after the replay, once each, in log order; two of its
// patterns match one of the channels.
it('buffers runs published during a stalled subscribe replay and sends them after it, in order', async () => {
  const node = (t = await startTestNode({ maxQueueBytes: 256 * 1024, historySize: 10_000 }));
  const pad = 'x'.repeat(48 * 1024);
  const replayed = Math.ceil(STALL_BYTES / pad.length);
  const [first] = await post(node, [{ org: 'acme', channel: 'big.0', data: { n: 0 } }]);
  await publishNumbered(node, 'big.1', 1, replayed, 1, pad);

  const c = open(node);
  await c.opened;
  c.ws.send(
    JSON.stringify({
      type: 'connect',
      token: await node.token({ sub: 'reader', org: 'acme' }),
      subscriptions: ['big.2'],
    }),
  );
  await c.until((l) => l.type === 'connected');
  c.ws.pause();
  c.ws.send(
    JSON.stringify({
      type: 'subscribe',
      channel: 'big.>',
      cursor: (first as { cursor: string }).cursor,
    }),
  );
  // Each publish answers after its fan-out, so these runs met the stalled replay: the client
  // reads nothing until they are all acknowledged.
  const live = 40;
  for (let k = 0; k < live / 5; k++)
    await publishNumbered(node, `big.${1 + (k % 2)}`, replayed + 1 + k * 5, 5, 5);
  c.ws.resume();
  await c.until((l) => l.type === 'event' && l.data?.n === replayed + live);

  expect(numbers(c.lines)).toEqual(Array.from({ length: replayed + live }, (_, i) => i + 1));
  const subscribedAt = c.lines.findIndex((l) => l.type === 'subscribed');
  // The replay's events before `subscribed`, the buffered runs after it.
  expect(numbers(c.lines.slice(0, subscribedAt))).toHaveLength(replayed);
  expect(numbers(c.lines.slice(subscribedAt))).toHaveLength(live);
  c.ws.close();
});

// PROTOCOL.md §2.2: a resume either delivers every event after the cursor or says it cannot.
// Events evicted while the replay was stalled between pages must end it with 4001, never be
// skipped under `resumed: true`.
it('closes a stalled resume with 4001 when the events it has yet to read are evicted', async () => {
  const history = 2_500;
  const node = (t = await startTestNode({ maxQueueBytes: 256 * 1024, historySize: history }));
  const pad = 'x'.repeat(12 * 1024);
  const [first] = await post(node, [{ org: 'acme', channel: 'big.0', data: { n: 0 } }]);
  // More than one replay page (1,000 events), the first alone past what the buffers hold.
  await publishNumbered(node, 'big.1', 1, history - 1, 5, pad);

  const c = open(node);
  await c.opened;
  c.ws.pause();
  c.ws.send(
    JSON.stringify({
      type: 'connect',
      token: await node.token({ sub: 'reader', org: 'acme' }),
      cursor: (first as { cursor: string }).cursor,
      subscriptions: ['big.>'],
    }),
  );
  await untilSubscriptions(node, 1);
  // While the first page waits for the socket, a full history of new events evicts the rest.
  // On a channel the client did not subscribe to, so its close can only come from the resume.
  await publishNumbered(node, 'other.x', history, history, 100);
  c.ws.resume();

  const outcome = await Promise.race([
    c.closed.then((code) => ({ closed: code })),
    c.until((l) => l.type === 'connected').then(() => ({ connected: true })),
  ]);
  expect(outcome).toEqual({ closed: 4001 });
  const got = numbers(c.lines);
  // What did arrive is the log from the cursor on, without a gap, and it stopped short.
  expect(got).toEqual(Array.from({ length: got.length }, (_, i) => i + 1));
  expect(got.length).toBeLessThan(history - 1);
});
