/**
 * `storm`'s reconnecting client against a real hubcast node restarted on the same port: it
 * honours the `reconnect` push, resumes from the cursor of the last event it processed and
 * gets every event exactly once; a cursor the new log cannot place is counted as a reset. And
 * the publisher that retries through the restart reuses one idempotency key per event.
 */
import { Agent, createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { createNode, loadConfig, type HubcastNode } from '@hubcast/server';
import { ADAPTERS } from '../src/loadgen/adapters.js';
import { httpCall } from '../src/loadgen/http-call.js';
import { eventData } from '../src/loadgen/payload.js';
import { publishRoute } from '../src/loadgen/publisher.js';
import { RetryingPublisher } from '../src/loadgen/retrying-publisher.js';
import { StormClient, type StormEvents } from '../src/loadgen/storm-client.js';

const SECRET = 'bench-storm-test-secret-0123456789';
const API_KEY = 'bench-admin-key';
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** A node on `port` with a memory log: it outlives stop(), so a restarted node keeps it. */
function hubcastNode(port: number): HubcastNode {
  const node = createNode(
    loadConfig({
      env: {},
      file: {
        host: '127.0.0.1',
        port,
        log: 'memory',
        store: 'memory',
        jwtSecret: SECRET,
        apiKey: API_KEY,
        logLevel: 'silent',
      },
    }),
  );
  cleanups.push(() => node.stop());
  return node;
}

/** Publishes on a fresh connection each time: a pooled one may be the stopped node's. */
async function publish(port: number, seqs: number[]): Promise<void> {
  const answer = await httpCall({
    host: '127.0.0.1',
    port,
    agent: new Agent({ keepAlive: false }),
    method: 'POST',
    path: '/api/publish',
    headers: { authorization: `Bearer ${API_KEY}` },
    body: JSON.stringify(
      seqs.map((s) => ({
        org: 'bench',
        channel: 'w1',
        data: JSON.parse(eventData(s, 1)) as unknown,
      })),
    ),
    timeoutMs: 5000,
  });
  expect(answer.status).toBe(200);
}

interface Seen {
  client: StormClient;
  live: number;
  drops: number[];
  delivered: number[];
}

async function stormClient(port: number): Promise<Seen> {
  const token = await new SignJWT({ org: 'bench' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('u0')
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(SECRET));
  const seen = { live: 0, drops: [] as number[], delivered: [] as number[] };
  const events: StormEvents = {
    live: () => void seen.live++,
    dropped: (_c, code) => void seen.drops.push(code),
    attemptFailed: () => {},
    delivered: (_c, seq) => void seen.delivered.push(seq),
  };
  const client = new StormClient(
    0,
    {
      host: '127.0.0.1',
      port,
      adapter: ADAPTERS.hubcast,
      channels: ['w1'],
      token,
      backoff: { minMs: 20, maxMs: 100 },
      handshakeTimeoutMs: 5000,
      // Half of the push's delay_ms (1000 ms for one session): 500 ms after the close.
      random: () => 0.5,
    },
    events,
  );
  cleanups.push(() => client.stop());
  client.connect();
  return Object.assign(seen, { client });
}

describe('storm client', () => {
  it('hubcast: waits the reconnect delay, resumes from its cursor, each event once', async () => {
    const port = await freePort();
    const node = hubcastNode(port);
    await node.start();
    const c = await stormClient(port);
    await expect.poll(() => c.live).toBe(1);
    await publish(port, [1, 2, 3]);
    await expect.poll(() => c.delivered).toEqual([1, 2, 3]);
    expect(c.client.resume.cursor).toMatch(/^[0-9a-f]+-3$/);

    await node.stop(); // a deploy: `reconnect` push, then 4000
    expect(c.drops).toEqual([4000]);
    expect(c.client.resume.serverDelayMs).toBe(1000);
    await node.start();
    await publish(port, [4, 5]); // while the client waits: it must get these on resume
    await expect.poll(() => c.live, { timeout: 5000 }).toBe(2);
    await publish(port, [6]);
    await expect.poll(() => c.delivered).toEqual([1, 2, 3, 4, 5, 6]);
    expect(c.client.resume.resumed).toBe(true);
    expect(c.client.resets).toBe(0);
    expect(c.client.seen.duplicates).toBe(0);
    // It honoured the push: no attempt before half of delay_ms (the pinned jitter).
    expect(c.client.liveAtMs - c.client.firstDropAtMs).toBeGreaterThanOrEqual(500);
  });

  it('hubcast: a cursor the restarted server cannot place is a reset', async () => {
    const port = await freePort();
    const first = hubcastNode(port);
    await first.start();
    const c = await stormClient(port);
    await expect.poll(() => c.live).toBe(1);
    await publish(port, [1]);
    await expect.poll(() => c.delivered).toEqual([1]);
    await first.stop();
    // A new node with a new memory log: the old cursor names a wiped log.
    await hubcastNode(port).start();
    await expect.poll(() => c.live, { timeout: 5000 }).toBe(2);
    expect(c.client.resume.resumed).toBe(false);
    expect(c.client.resets).toBe(1);
  });
});

describe('RetryingPublisher', () => {
  it('tries an event again with the same key until it is accepted, in order', async () => {
    const bodies: string[] = [];
    const server = createHttpServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        // The first two requests meet a restart: a 503 (draining), then a dropped connection.
        if (bodies.push(body) === 1) res.writeHead(503).end();
        else if (bodies.length === 2) req.socket.destroy();
        else res.writeHead(200).end('{"duplicate":false}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const publisher = new RetryingPublisher({
      host: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
      route: publishRoute('hubcast', 'bench', API_KEY),
      channel: 'w1',
      ratePerSec: 1000,
      maxInFlight: 1,
      keyPrefix: 'k-',
    });
    cleanups.push(() => publisher.close());
    publisher.start();
    await expect.poll(() => publisher.lastSeq).toBeGreaterThanOrEqual(3);
    await publisher.stop();
    const keys = bodies.map((b) => (JSON.parse(b) as { key: string }).key);
    const last = publisher.lastSeq;
    // Event 1 three times (refused, dropped, accepted), then every other once, in order.
    expect(keys).toEqual([
      'k-1',
      'k-1',
      'k-1',
      ...Array.from({ length: last - 1 }, (_, i) => `k-${i + 2}`),
    ]);
    expect(publisher.stats).toMatchObject({
      published: last,
      accepted: last,
      retries: 2,
      rejected: 0,
    });
  });
});
