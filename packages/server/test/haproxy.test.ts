/**
 * The shipped balancer config (deploy/haproxy.cfg) in front of two real `hubcast serve`
 * processes, with SDK clients connecting through it as browsers would: leastconn spreads them,
 * a node that drains on SIGTERM leaves rotation through its /readyz (not by dying) while its
 * clients move to the other node, and a node back from a restart takes the new connections.
 */
import { ServerClient } from '@hubcast/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { outputUntil } from './helpers/child-output.js';
import { startHaproxy, type Haproxy } from './helpers/haproxy.js';
import { startRedis } from './helpers/redis.js';
import { startServeProcess, type ServeProcess } from './helpers/serve-process.js';
import { signTestToken, TEST_ADMIN_KEY } from './helpers/test-node.js';
import { ClientGroup } from './helpers/tracked-client.js';
import {
  openClient,
  publishHttp,
  terminateAllClients,
  upgradeStatus,
  type TestClient,
} from './helpers/ws-client.js';

/**
 * Both nodes run the cluster engine on one real redis-server: they share the log, so a client
 * that moves resumes on the other node by its cursor (issue 11).
 */
/** Clients per test: an even number, half on each node. */
const CLIENTS = 20;
/** Clients connected after a node left or came back. */
const LATE = 6;
const CHANNEL = 'lb.news';

interface EngineUnderTest {
  flags: readonly string[];
  stop(): Promise<void>;
}

async function startEngine(): Promise<EngineUnderTest> {
  const redis = await startRedis();
  return {
    flags: ['--engine', 'redis', '--redis-url', redis.url, '--store', 'memory'],
    stop: () => redis.stop(),
  };
}

let engine: EngineUnderTest;
let nodes: ServeProcess[];
let lb: Haproxy;
let group: ClientGroup;

const startNode = (port?: number): Promise<ServeProcess> =>
  startServeProcess(['--log-level', 'info', ...engine.flags], port === undefined ? {} : { port });

beforeEach(async () => {
  engine = await startEngine();
  nodes = await Promise.all([startNode(), startNode()]);
  lb = await startHaproxy([`127.0.0.1:${nodeAt(0).port}`, `127.0.0.1:${nodeAt(1).port}`]);
  group = new ClientGroup(lb.wsUrl, CHANNEL);
});

afterEach(async () => {
  group.disconnectAll();
  terminateAllClients();
  await Promise.all(nodes.map((n) => n.stop()));
  await lb.stop();
  await engine.stop();
});

function nodeAt(i: number): ServeProcess {
  const node = nodes[i];
  if (node === undefined) throw new Error(`no node ${i}`);
  return node;
}

/**
 * Authenticated connections on one node, from its `hubcast_connections` gauge: per process,
 * where `/api/stats` counts the whole cluster.
 */
async function connectionsOf(node: ServeProcess): Promise<number> {
  const text = await (await fetch(`${node.httpUrl}/metrics`)).text();
  const value = /^hubcast_connections (\d+)$/m.exec(text)?.[1];
  if (value === undefined) throw new Error('no hubcast_connections gauge');
  return Number(value);
}

/** A raw protocol client (no SDK, no reconnect) that sees every push, `reconnect` included. */
async function connectRaw(url: string, user: string): Promise<TestClient> {
  const client = await openClient(url);
  client.send({ type: 'connect', token: await signTestToken({ sub: user, org: 'acme' }) });
  await client.next('connected');
  return client;
}

/**
 * Publishes `{n}` with n = 1, 2, ... on `node`, one after another, until `moved()` was called
 * and 10 more went out; `published` resolves with the last n.
 */
function startStream(node: ServeProcess): { moved(): void; published: Promise<number> } {
  let moving = true;
  const published = (async () => {
    let n = 0;
    for (let after = 0; after < 10; after += moving ? 0 : 1)
      await publishHttp(node, 'acme', CHANNEL, { n: ++n });
    return n;
  })();
  return { moved: () => (moving = false), published };
}

/** The clients that were closed at least once: after a drain of A, exactly A's clients. */
const moved = () => group.clients.filter((c) => c.closes.length > 0);

/** Resolves once node A's half of the first CLIENTS was closed and connected again. */
function untilNodeAMoved(): Promise<void> {
  return group.until(`node A's ${CLIENTS / 2} clients to reconnect`, () => {
    const m = moved();
    return m.length === CLIENTS / 2 && m.every((c) => c.client.state === 'connected');
  });
}

describe('HAProxy in front of two nodes', () => {
  it('spreads clients evenly over both nodes, as the nodes and HAProxy count them', async () => {
    await group.connect(CLIENTS, 'user');

    expect(await connectionsOf(nodeAt(0))).toBe(CLIENTS / 2);
    expect(await connectionsOf(nodeAt(1))).toBe(CLIENTS / 2);
    const rows = await lb.servers();
    expect(rows.get('node1')?.current).toBe(CLIENTS / 2);
    expect(rows.get('node2')?.current).toBe(CLIENTS / 2);
  });

  it('moves the clients of a draining node to the other one and keeps new connections off it', async () => {
    const [a, b] = [nodeAt(0), nodeAt(1)];
    await group.connect(CLIENTS, 'user');
    // Two raw clients after an even split: leastconn puts one on each node.
    const raws = [await connectRaw(lb.wsUrl, 'raw-0'), await connectRaw(lb.wsUrl, 'raw-1')];
    expect(await connectionsOf(a)).toBe(CLIENTS / 2 + 1);
    // A peer straight on node A that stops reading: its close handshake cannot end, so A stays
    // up and draining (up to --pong-timeout, 10 s) and what takes it out of rotation is its
    // /readyz, not a refused port.
    const holder = await connectRaw(a.wsUrl, 'holder');
    holder.pauseReading();

    // Events keep coming while A's clients move, published on B (which stays): some reach the
    // movers on A, some only after they resume on B.
    const stream = startStream(b);

    const since = lb.output().length;
    const draining = outputUntil(a.child, /"msg":"draining"/);
    a.child.kill('SIGTERM');
    await draining;
    expect((await fetch(`${a.httpUrl}/readyz`)).status).toBe(503);
    // Before the check notices, leastconn favours A (its clients are leaving) and A refuses
    // upgrades with 503: HAProxy retries those on B, so no new client sees the refusal.
    const early = await Promise.all(Array.from({ length: 4 }, () => upgradeStatus(lb.wsUrl)));
    expect(early).toEqual([101, 101, 101, 101]);

    // The raw client on A got `reconnect`, then the 4000 close; the one on B neither.
    const onA = await Promise.race(raws.map((r) => r.closed.then(() => r)));
    const onB = raws.find((r) => r !== onA);
    expect(onA.closeInfo?.code).toBe(4000);
    expect(onA.messages.find((m) => m.type === 'reconnect')).toMatchObject({
      reason: 'shutdown',
      delay_ms: 1000,
    });
    expect(await onB?.quiet()).toEqual([]);

    // A's SDK clients: each closed with 4000 after that push, and back through the balancer.
    await untilNodeAMoved();
    stream.moved();
    for (const c of moved()) {
      expect(c.closes[0]).toMatchObject({ code: 4000, willReconnect: true });
      // Drawn below the push's delay_ms: the SDK waited as the node asked.
      expect(c.closes[0]?.delayMs).toBeLessThanOrEqual(1000);
    }

    // Every client, moved or not, got the stream once and in order: the moved ones resumed on
    // B from the cursor they had on A.
    const streamed = await stream.published;
    const first = group.clients.slice(0, CLIENTS);
    await group.until('every client to get the whole stream', () =>
      first.every((c) => c.events.length >= streamed),
    );
    const want = Array.from({ length: streamed }, (_, i) => ({ n: i + 1 }));
    for (const c of first) expect(c.events.map((e) => e.data)).toEqual(want);
    for (const c of moved()) expect(c.connects.at(-1)?.resumed).toBe(true);

    // HAProxy took A out on its 503, while A was still there to answer it.
    await lb.untilLogged(/Server hubcast_nodes\/node1 is DOWN/, since);
    const down = (await lb.servers()).get('node1');
    expect(down).toMatchObject({ status: 'DOWN', checkStatus: 'L7STS', checkCode: '503' });
    expect(a.isAlive()).toBe(true);

    // New connections all go to B, and HAProxy sends A nothing more.
    await group.connect(LATE, 'late');
    expect(await connectionsOf(b)).toBe(CLIENTS + 1 + LATE);
    expect((await lb.servers()).get('node1')?.total).toBe(down?.total);

    // Every SDK client, moved or late, sits on B: one publish through the balancer (which
    // lands on B, the only node left) reaches them all.
    const api = new ServerClient({ url: lb.httpUrl, apiKey: TEST_ADMIN_KEY, org: 'acme' });
    const { event_id } = await api.publish({ channel: CHANNEL, data: { after: 'drain' } });
    await group.until('every client to get the event published after the drain', () =>
      group.clients.every((c) => c.events.some((e) => e.event_id === event_id)),
    );

    // The held peer reads its close frame at last; A ends its drain and exits 0. Nothing else
    // moved or crashed.
    holder.resumeReading();
    expect(await a.exited).toBe(0);
    expect(moved()).toHaveLength(CLIENTS / 2);
    expect(b.isAlive()).toBe(true);
    expect(lb.isAlive()).toBe(true);
  });

  it('moves the clients of a node killed mid-stream to the other one, losing and repeating nothing', async () => {
    const [a, b] = [nodeAt(0), nodeAt(1)];
    await group.connect(CLIENTS, 'user');
    const stream = startStream(b);
    await group.until('a few events to arrive everywhere', () =>
      group.clients.every((c) => c.events.length >= 3),
    );
    // No drain, no `reconnect`: the process is gone, its sockets reset.
    a.child.kill('SIGKILL');
    await a.exited;
    await untilNodeAMoved();
    stream.moved();
    const streamed = await stream.published;
    await group.until('every client to get the whole stream', () =>
      group.clients.every((c) => c.events.length >= streamed),
    );
    const want = Array.from({ length: streamed }, (_, i) => ({ n: i + 1 }));
    for (const c of group.clients) expect(c.events.map((e) => e.data)).toEqual(want);
    for (const c of moved()) {
      expect(c.closes[0]).toMatchObject({ willReconnect: true });
      expect(c.connects.at(-1)?.resumed).toBe(true);
    }
    expect(await connectionsOf(b)).toBe(CLIENTS);
  });

  it('sends new connections to a node back from a restart until it has caught up', async () => {
    const [a, b] = [nodeAt(0), nodeAt(1)];
    await group.connect(CLIENTS, 'user');
    const since = lb.output().length;

    expect(await a.stop()).toBe(0);
    await untilNodeAMoved();
    expect(await connectionsOf(b)).toBe(CLIENTS);
    // Waited for, so that the UP below is news: a quick restart could beat the second check.
    await lb.untilLogged(/Server hubcast_nodes\/node1 is DOWN/, since);

    // A rolling restart: A comes back on its port, empty; HAProxy's check puts it back.
    const restarted = lb.output().length;
    nodes[0] = await startNode(a.port);
    await lb.untilLogged(/Server hubcast_nodes\/node1 is UP/, restarted);

    // Round robin would split these; leastconn sends them all to the empty node.
    await group.connect(LATE, 'late');
    expect(await connectionsOf(nodeAt(0))).toBe(LATE);
    expect(await connectionsOf(b)).toBe(CLIENTS);
  });
});
