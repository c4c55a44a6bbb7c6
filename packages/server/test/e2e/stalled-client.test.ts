/**
 * Issue 10, defects 2 and 3: a client that resumes with an old cursor and stops reading must not
 * make the node hold more than its send-queue bound, nor park its command chain for ever. Live
 * events buffered behind the stalled replay count in the queue bounds, the wait for the socket
 * has a deadline (--pong-timeout, then 4001), bad input and rate limits are counted where the
 * frame arrives, and commands a stalled connection keeps sending are held back in TCP instead
 * of the node's memory. A closed slow consumer still gets its close frame if it reads again
 * within --pong-timeout.
 */
import { expect, it } from 'vitest';
import type { TestNode } from '../helpers/test-node.js';
import { untilClosedWith, untilMetric } from '../helpers/metric-wait.js';
import {
  connectClient,
  httpRequest,
  openClient,
  useTestNodes,
  type TestClient,
} from '../helpers/ws-client.js';

const startNode = useTestNodes();

/** Well past what a paused peer's socket buffers absorb on loopback (a few MB). */
const STALL_BYTES = 16 * 1024 * 1024;
const PAD = 'x'.repeat(48 * 1024);
const QUEUE_BYTES = 256 * 1024;

async function publish(node: TestNode, channel: string, count: number, pad = PAD): Promise<void> {
  // One event a request: a 48 KB event is most of what one request body may hold.
  for (let n = 0; n < count; n++) {
    const res = await httpRequest(node, 'POST', '/api/publish', {
      json: { org: 'acme', channel, data: { n, pad } },
    });
    expect(res.status).toBe(200);
  }
}

/**
 * A node whose log holds more than a paused reader's buffers absorb, and a client that asks to
 * resume from the start of it with its reading paused: the replay stalls on the socket.
 */
async function stalledResume(
  overrides: Parameters<typeof startNode>[0] = {},
  claims: { publish?: string[] } = {},
): Promise<{ node: TestNode; client: TestClient }> {
  const node = await startNode({ maxQueueBytes: QUEUE_BYTES, historySize: 10_000, ...overrides });
  const first = await httpRequest(node, 'POST', '/api/publish', {
    json: { org: 'acme', channel: 'big.0', data: 0 },
  });
  const cursor = (first.body as { cursor: string }).cursor;
  await publish(node, 'big.1', Math.ceil(STALL_BYTES / PAD.length));
  const client = await openClient(node.wsUrl);
  client.pauseReading();
  client.send({
    type: 'connect',
    token: await node.token({ sub: 'reader', org: 'acme', ...claims }),
    cursor,
    subscriptions: ['big.>'],
  });
  // The replay starts once the subscription is in the hub, and stalls on the paused socket.
  await untilMetric(node.node, 'hubcast_subscriptions', {}, 1);
  return { node, client };
}

it('closes a resume that stalls on a client that reads nothing with 4001 after --pong-timeout', async () => {
  const { node, client } = await stalledResume({ pongTimeout: 0.5, pingInterval: 60 });
  await untilClosedWith(node.node, 4001);
  // Defect 3: reading again within --pong-timeout, the client still learns why.
  client.resumeReading();
  expect((await client.waitClosed(10_000)).code).toBe(4001);
});

it('counts live events buffered behind a stalled replay in the send-queue bound', async () => {
  // A pong timeout far longer than the test: only the queue bound can close it.
  const { node, client } = await stalledResume({ pongTimeout: 60, pingInterval: 60 });
  await publish(node, 'big.2', Math.ceil((2 * QUEUE_BYTES) / PAD.length));
  await untilClosedWith(node.node, 4001);
  expect(await queueDrops(node)).toBe(1);
  client.resumeReading();
  expect((await client.waitClosed(10_000)).code).toBe(4001);
});

it('closes with 4500 at the tenth malformed frame even while a replay is stalled', async () => {
  const { node, client } = await stalledResume({ pongTimeout: 60, pingInterval: 60 });
  for (let i = 0; i < 10; i++) client.sendRaw('{not json');
  await untilClosedWith(node.node, 4500);
  client.resumeReading();
  expect((await client.waitClosed(10_000)).code).toBe(4500);
});

it('closes with 4003 past the rate limit even while a replay is stalled', async () => {
  const { node, client } = await stalledResume({
    pongTimeout: 60,
    pingInterval: 60,
    rateLimit: 1,
    rateBurst: 5,
  });
  for (let i = 0; i < 20; i++) client.send({ type: 'ping', id: i + 1 });
  await untilClosedWith(node.node, 4003);
  client.resumeReading();
  expect((await client.waitClosed(10_000)).code).toBe(4003);
});

it('stops reading commands from a stalled connection once they hold more than the queue bound', async () => {
  const { node, client } = await stalledResume(
    { pongTimeout: 60, pingInterval: 60, rateBurst: 1000 },
    { publish: ['big.>'] },
  );
  const data = 'y'.repeat(60 * 1024);
  for (let i = 0; i < 200; i++) client.send({ type: 'publish', id: i + 1, channel: 'big.3', data });
  await untilMetric(node.node, 'hubcast_limits_tripped_total', { limit: 'inbound_backlog' });
  // What the node does not read stays in TCP: the sender cannot get rid of its 12 MB.
  await new Promise((resolve) => setImmediate(resolve));
  expect(client.ws.bufferedAmount).toBeGreaterThan(1024 * 1024);
});

it('lets a closed slow consumer that reads again within --pong-timeout see 4001', async () => {
  const node = await startNode({ maxQueueBytes: QUEUE_BYTES, pongTimeout: 5, pingInterval: 60 });
  const client = await connectClient(
    node,
    { sub: 'slow', org: 'acme' },
    {
      subscriptions: ['big.>'],
    },
  );
  client.pauseReading();
  await publish(node, 'big.1', Math.ceil(STALL_BYTES / PAD.length));
  await untilClosedWith(node.node, 4001);
  // The stall under test is a span of time: longer than the old 1 s grace, shorter than the
  // pong timeout. Nothing to await but the clock.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  client.resumeReading();
  expect((await client.waitClosed(10_000)).code).toBe(4001);
});

async function queueDrops(node: TestNode): Promise<number> {
  const res = await httpRequest(node, 'GET', '/metrics');
  const line = /^hubcast_send_queue_drops_total (\d+)/m.exec(res.text);
  return Number(line?.[1] ?? -1);
}
