/**
 * The generator's raw-socket clients against real servers with short heartbeats: each adapter
 * joins, answers pings so the server keeps it, and reads the stamps of a published event; and
 * publishes as a chat client does (the `rooms` scenario), in masked frames the servers accept.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { Server as SocketIoServer } from 'socket.io';
import { WebSocketServer, type WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { createNode, loadConfig, type HubcastNode } from '@hubcast/server';
import { ADAPTERS } from '../src/loadgen/adapters.js';
import { Conn, type ConnHooks } from '../src/loadgen/client-conn.js';
import { eventData } from '../src/loadgen/payload.js';
import type { TargetName } from '../src/results.js';

const SECRET = 'bench-adapter-test-secret-0123456789';
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Seen {
  conn: Conn;
  ready: Promise<void>;
  stamps: [number, number][];
  closed: number[];
  failed: string[];
  refused: string[];
}

function open(target: TargetName, port: number, token = '', channels = ['w1']): Seen {
  const seen: Omit<Seen, 'conn' | 'ready'> = { stamps: [], closed: [], failed: [], refused: [] };
  let resolveReady: () => void = () => {};
  const ready = new Promise<void>((r) => (resolveReady = r));
  const hooks: ConnHooks = {
    ready: () => resolveReady(),
    failed: (_c, reason) => void seen.failed.push(reason),
    delivered: (_c, seq, t) => void seen.stamps.push([seq, t]),
    closed: (c) => void seen.closed.push(c.closeCode),
    refused: (_c, reply) => void seen.refused.push(reply),
  };
  const conn = new Conn(0, false, {
    host: '127.0.0.1',
    port,
    adapter: ADAPTERS[target],
    hooks,
    channels,
    token,
  });
  cleanups.push(() => conn.close());
  return { conn, ready, ...seen };
}

async function listen(server: HttpServer): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return (server.address() as AddressInfo).port;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function hubcastNode(heartbeat: boolean): HubcastNode {
  return createNode(
    loadConfig({
      env: {},
      file: {
        host: '127.0.0.1',
        log: 'memory',
        store: 'memory',
        port: 0,
        jwtSecret: SECRET,
        apiKey: 'bench-admin-key',
        logLevel: 'silent',
        ...(heartbeat ? { pingInterval: 0.1, pongTimeout: 0.2 } : {}),
      },
    }),
  );
}

describe('generator adapters', () => {
  it('hubcast: authenticates, answers {"type":"ping"} and reads batched events', async () => {
    const node = hubcastNode(true);
    await node.start();
    cleanups.push(() => node.stop());
    const token = await new SignJWT({ org: 'bench' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u0')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
    const c = open('hubcast', node.address().port, token);
    await c.ready;
    await sleep(800); // several ping intervals: an unanswered ping closes with 4002
    const res = await fetch(`http://127.0.0.1:${node.address().port}/api/publish`, {
      method: 'POST',
      headers: { authorization: 'Bearer bench-admin-key', 'content-type': 'application/json' },
      body: JSON.stringify(
        [1, 2].map((s) => ({
          org: 'bench',
          channel: 'w1',
          data: JSON.parse(eventData(s, 5.5)) as unknown,
        })),
      ),
    });
    expect(res.status).toBe(200);
    await expect.poll(() => c.stamps.length).toBe(2);
    expect(c.stamps).toEqual([
      [1, 5.5],
      [2, 5.5],
    ]);
    expect(c.closed).toEqual([]);
    expect(c.conn.state).toBe('ready');
  });

  it('ws: joins by URL, answers protocol pings', async () => {
    const server = createServer();
    const wss = new WebSocketServer({ server });
    const pongs: number[] = [];
    let client: WebSocket | undefined;
    wss.on('connection', (ws, req) => {
      expect(req.url).toBe('/?room=w1');
      client = ws;
      ws.on('pong', () => pongs.push(1));
    });
    const c = open('ws', await listen(server));
    cleanups.push(() => wss.close());
    await c.ready;
    await expect.poll(() => client).toBeDefined();
    client?.ping('x');
    client?.send(JSON.stringify({ channel: 'w1', data: JSON.parse(eventData(1, 2)) as unknown }));
    await expect.poll(() => c.stamps).toEqual([[1, 2]]);
    await expect.poll(() => pongs.length).toBe(1);
  });

  it('socket.io: joins its room with an ack, answers engine.io pings', async () => {
    const server = createServer();
    const io = new SocketIoServer(server, {
      transports: ['websocket'],
      pingInterval: 100,
      pingTimeout: 200,
    });
    io.on('connection', (socket) => {
      socket.on('join', (rooms: string[], ack: () => void) => {
        void socket.join(rooms);
        ack();
      });
    });
    const port = await listen(server);
    cleanups.push(() => void io.close());
    const c = open('socketio', port);
    await c.ready;
    await sleep(800); // an unanswered ping ends the session after 300 ms
    io.to('w1').emit('event', JSON.parse(eventData(9, 3.25)) as unknown);
    await expect.poll(() => c.stamps).toEqual([[9, 3.25]]);
    expect(c.failed).toEqual([]);
    expect(c.closed).toEqual([]);
  });
});

describe('client publishes (rooms)', () => {
  it('hubcast: a publish command under its grants, echoed to the sender; a refusal is seen', async () => {
    const node = hubcastNode(false);
    await node.start();
    cleanups.push(() => node.stop());
    const token = await new SignJWT({
      org: 'bench',
      subscribe: ['room.r1'],
      publish: ['room.r1'],
    })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u0')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
    const c = open('hubcast', node.address().port, token, ['room.r1']);
    await c.ready;
    c.conn.publish('room.r1', eventData(3, 7.5));
    await expect.poll(() => c.stamps).toEqual([[3, 7.5]]);
    expect(c.refused).toEqual([]);
    c.conn.publish('room.r2', eventData(4, 1)); // no grant
    await expect.poll(() => c.refused.length).toBe(1);
    expect(c.refused[0]).toMatch(/"code":"forbidden"/);
    expect(c.stamps).toHaveLength(1);
    expect(c.conn.state).toBe('ready');
  });

  it('ws: sends {channel, data} as one masked text frame', async () => {
    const server = createServer();
    const wss = new WebSocketServer({ server });
    const got: unknown[] = [];
    wss.on('connection', (ws) =>
      ws.on('message', (raw) => got.push(JSON.parse((raw as Buffer).toString('utf8')))),
    );
    const c = open('ws', await listen(server), '', ['room.r1']);
    cleanups.push(() => wss.close());
    await c.ready;
    c.conn.publish('room.r1', eventData(5, 2.5));
    await expect.poll(() => got.length).toBe(1);
    expect(got[0]).toEqual({ channel: 'room.r1', data: JSON.parse(eventData(5, 2.5)) as unknown });
  });

  it('socket.io: emits publish(room, data)', async () => {
    const server = createServer();
    const io = new SocketIoServer(server, { transports: ['websocket'] });
    const got: unknown[][] = [];
    io.on('connection', (socket) => {
      socket.on('join', (rooms: string[], ack: () => void) => {
        void socket.join(rooms);
        ack();
      });
      socket.on('publish', (room: unknown, data: unknown) => got.push([room, data]));
    });
    const port = await listen(server);
    cleanups.push(() => void io.close());
    const c = open('socketio', port, '', ['room.r1']);
    await c.ready;
    c.conn.publish('room.r1', eventData(6, 1.25));
    await expect.poll(() => got.length).toBe(1);
    expect(got[0]).toEqual(['room.r1', JSON.parse(eventData(6, 1.25)) as unknown]);
  });
});
