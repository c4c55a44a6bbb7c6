/**
 * The attack suite (issue 10): a real `hubcast serve` process (SQLite log) takes, one after
 * the other, thousands of refused upgrades with resets, slow-loris and idle upgraded sockets,
 * seeded random frames on authenticated connections, seeded random HTTP requests to every
 * route, and resumes that stall while live traffic flows. Meanwhile a publisher posts numbered
 * events and a well-behaved client watches them. Through all of it: the process stays up, the
 * watcher receives every event once and in order, no answer is a 5xx, a 1011 or an `internal`
 * error, RSS stays under a stated bound, and the history holds exactly the acknowledged events.
 *
 * The attacks are seeded (HUBCAST_ABUSE_SEED replays one); a failure names its seed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { sendAndReset, upgradeRequest } from '../helpers/raw-peer.js';
import { SeededRandom } from '../helpers/seeded-random.js';
import { startServeProcess, type ServeProcess } from '../helpers/serve-process.js';
import { signTestToken, TEST_ADMIN_KEY } from '../helpers/test-node.js';
import { randomFrame, randomRequest } from './generators.js';

const SEED = Number(process.env['HUBCAST_ABUSE_SEED'] ?? 20261203);
const MAX_MESSAGE_BYTES = 65536;
/**
 * What the node may reach under all of this. Measured: 161-168 MB at the peak (20 stalled
 * resumes each holding their queue bound and socket backlog, SQLite's cache, 16 MB of large
 * events published); 479 MB before a resume read its pages by a byte budget.
 */
const RSS_BOUND_BYTES = 256 * 1024 * 1024;
/**
 * On the Redis engine: measured 290 MB at the peak. The log is in Redis, but the bulk publishes
 * of 16 MB pass the node more often: the script's arguments, its reply and the broker message
 * are each a copy that ioredis holds until it is parsed.
 */
const REDIS_RSS_BOUND_BYTES = 384 * 1024 * 1024;
const TENANT_KEY = 'tenant-key-acme-0123';

let proc: ServeProcess;
let publisher: Publisher;
let watcher: Watcher;
let maxRssBytes = 0;
let rssTimer: NodeJS.Timeout | undefined;

const configPath = writeConfig();

beforeAll(async () => {
  proc = await startServeProcess([
    '--config',
    configPath,
    '--history-size',
    '200000',
    '--auth-timeout',
    '1',
    '--pong-timeout',
    '2',
    '--ping-interval',
    '4',
    '--http-headers-timeout',
    '2',
    '--http-request-timeout',
    '4',
    // Ephemeral publishes and coalescing are part of the attack surface too.
    '--ephemeral-channels',
    'junk.>',
    '--coalesce-channels',
    'junk.c.>',
    ...engineArgs(),
  ]);
  rssTimer = setInterval(() => {
    if (proc.isAlive()) maxRssBytes = Math.max(maxRssBytes, proc.rssBytes());
  }, 100);
  watcher = await Watcher.open(proc);
  publisher = new Publisher(proc);
  publisher.start();
}, 30_000);

afterAll(async () => {
  clearInterval(rssTimer);
  await publisher.stop();
  watcher.close();
  await proc.stop();
});

/**
 * The embedded engine by default; `HUBCAST_ABUSE_REDIS_URL` runs the same attacks against a
 * cluster node (attack-suite-redis.test.ts sets it).
 */
function engineArgs(): string[] {
  const url = process.env['HUBCAST_ABUSE_REDIS_URL'];
  return url === undefined ? [] : ['--engine', 'redis', '--redis-url', url, '--store', 'memory'];
}

/** Every test's common end: still up, still healthy. */
async function expectHealthy(): Promise<void> {
  expect(proc.isAlive(), `node died (seed ${SEED}):\n${proc.output()}`).toBe(true);
  expect((await fetch(`${proc.httpUrl}/healthz`)).status).toBe(200);
}

describe(`attack suite (seed ${SEED})`, () => {
  it('survives thousands of refused upgrades and upgrades reset mid-handshake', async () => {
    const r = new SeededRandom(SEED);
    const requests = [
      upgradeRequest('/x'),
      upgradeRequest('/ws', { Origin: 'https://evil.example' }),
      upgradeRequest('/ws', { 'Sec-WebSocket-Protocol': 'nope' }),
      upgradeRequest('/ws', { 'Sec-WebSocket-Version': '7' }),
      upgradeRequest('/ws'), // accepted, then reset before or after the 101
      'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n', // reset mid-headers
    ];
    for (let wave = 0; wave < 10; wave++)
      await Promise.all(
        Array.from({ length: 200 }, () => sendAndReset(proc.port, r.pick(requests), r.int(0, 10))),
      );
    await expectHealthy();
  });

  it('drops slow-loris requests and upgraded sockets that never authenticate', async () => {
    const slow = await Promise.all(Array.from({ length: 100 }, () => slowLoris(proc.port)));
    const idle = await Promise.all(
      Array.from({ length: 100 }, () => rawPeer(proc.port, upgradeRequest('/ws'))),
    );
    // --http-headers-timeout 2 and --auth-timeout 1: each ends without the peer doing anything.
    await Promise.all([...slow, ...idle].map((p) => p.gone));
    for (const p of slow) p.stopTrickle();
    expect(idle.every((p) => p.received.startsWith('HTTP/1.1 101'))).toBe(true);
    await expectHealthy();
  });

  it('answers seeded random frames without a 1011, an abnormal close or an internal error', async () => {
    const r = new SeededRandom(SEED + 1);
    const outcomes: ClientOutcome[] = [];
    for (let round = 0; round < 4; round++)
      outcomes.push(
        ...(await Promise.all(
          Array.from({ length: 10 }, (_, i) => fuzzClient(r, `fuzz-${round}-${i}`)),
        )),
      );
    const closeCodes = new Set(outcomes.map((o) => o.closeCode));
    const errorCodes = new Set(outcomes.flatMap((o) => o.errorCodes));
    const unexpected = [...closeCodes].filter((c) => c === undefined || !ALLOWED_CLOSES.has(c));
    expect(unexpected, `seed ${SEED + 1}`).toEqual([]);
    const failed = proc
      .output()
      .split('\n')
      .filter((l) => l.includes('"level":50'))
      .slice(0, 3)
      .map((l) => l.slice(0, 600));
    expect(errorCodes.has('internal'), `seed ${SEED + 1}:\n${failed.join('\n')}`).toBe(false);
    // The fuzzers did reach the server's checks, not only the socket.
    expect([...errorCodes], JSON.stringify(outcomes.slice(0, 5))).toContain('bad_request');
    await expectHealthy();
  });

  it('answers seeded random HTTP requests to every route without a 5xx', async () => {
    const r = new SeededRandom(SEED + 2);
    const failures: string[] = [];
    const statuses = new Set<number>();
    const specs = Array.from({ length: 1500 }, () =>
      randomRequest(r, { admin: TEST_ADMIN_KEY, tenant: TENANT_KEY }, MAX_MESSAGE_BYTES),
    );
    for (let i = 0; i < specs.length; i += 25)
      await Promise.all(
        specs.slice(i, i + 25).map(async (spec) => {
          const status = await rawHttp(proc.port, spec);
          statuses.add(status);
          if (status >= 500 || status === 0)
            failures.push(`${status} ${spec.method} ${spec.path.slice(0, 80)}`);
        }),
      );
    expect(failures, `seed ${SEED + 2}`).toEqual([]);
    expect(statuses.has(200) && statuses.has(400) && statuses.has(401)).toBe(true);
    await expectHealthy();
  });

  it('closes resumes that stall while live traffic flows, and lets them learn why', async () => {
    // More history than a paused reader's buffers hold, so each replay stalls on its socket.
    const start = await publishBulk(proc, 'stall.big', 1);
    await publishBulk(proc, 'stall.big', 340, 'x'.repeat(48 * 1024));
    const stalled = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const ws = new WebSocket(proc.wsUrl);
        await new Promise((resolve) => ws.on('open', resolve));
        const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
        pauseSocket(ws);
        ws.send(
          JSON.stringify({
            type: 'connect',
            token: await signTestToken({ sub: `stall-${i}`, org: 'acme' }),
            cursor: start,
            // The publisher's live events reach them too, behind the stalled replay.
            subscriptions: ['stall.>', 'watch.>'],
          }),
        );
        return { ws, closed };
      }),
    );
    // --pong-timeout 2: a replay that cannot write is closed 4001 within it.
    await untilMetric(proc, 'hubcast_connection_closes_total{code="4001"}', 20);
    for (const s of stalled) resumeSocket(s.ws);
    const codes = await Promise.all(stalled.map((s) => s.closed));
    expect(codes).toEqual(Array.from({ length: 20 }, () => 4001));
    await expectHealthy();
  }, 60_000);

  it('kept every guarantee meanwhile: order, completeness, history, memory', async () => {
    const acked = await publisher.stop();
    expect(acked.length).toBeGreaterThan(100);
    await watcher.until(acked.length);
    expect(watcher.closeCode, 'the well-behaved client was disconnected').toBeUndefined();
    expect(watcher.numbers).toEqual(acked.map((_, i) => i + 1));
    expect(await historyIds(proc)).toEqual(acked);
    expect(maxRssBytes).toBeGreaterThan(0);
    expect(maxRssBytes, `max RSS ${(maxRssBytes / 2 ** 20).toFixed(0)} MB`).toBeLessThan(
      engineArgs().length === 0 ? RSS_BOUND_BYTES : REDIS_RSS_BOUND_BYTES,
    );
    await expectHealthy();
  });
});

// ---- the well-behaved parties ----

/** Posts numbered events to `watch.feed` with idempotency keys, one after the other. */
class Publisher {
  private readonly acked: string[] = [];
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(private readonly node: ServeProcess) {}

  start(): void {
    this.running = true;
    this.loop = (async () => {
      for (let n = 1; this.running; n++) {
        const body = JSON.stringify({
          org: 'acme',
          channel: 'watch.feed',
          data: { n },
          key: `n${n}`,
        });
        // A publish is retried with its key until it is acknowledged: none may be lost.
        for (;;) {
          const res = await fetch(`${this.node.httpUrl}/api/publish`, {
            method: 'POST',
            headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
            body,
          }).catch(() => undefined);
          if (res?.status === 200) {
            const { event_id: id } = (await res.json()) as { event_id: string };
            if (!this.acked.includes(id)) this.acked.push(id);
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
  }

  /** Stops after the publish in flight; resolves with the acknowledged event ids in order. */
  async stop(): Promise<string[]> {
    this.running = false;
    await this.loop;
    return this.acked;
  }
}

/** A client that connects, subscribes to `watch.>`, answers pings and records every event. */
class Watcher {
  readonly numbers: number[] = [];
  closeCode: number | undefined;
  private waiters: { count: number; resolve: () => void }[] = [];

  private constructor(
    private readonly ws: WebSocket,
    /** The log head when it connected: where the stalled resumes start. */
    readonly firstCursor: string,
  ) {}

  static async open(node: ServeProcess): Promise<Watcher> {
    const ws = new WebSocket(node.wsUrl);
    await new Promise((resolve) => ws.on('open', resolve));
    const connected = new Promise<string>((resolve) => {
      ws.once('message', (d: Buffer) =>
        resolve((JSON.parse(d.toString()) as { cursor: string }).cursor),
      );
    });
    ws.send(
      JSON.stringify({
        type: 'connect',
        token: await signTestToken({ sub: 'watcher', org: 'acme' }),
        subscriptions: ['watch.>'],
      }),
    );
    const watcher = new Watcher(ws, await connected);
    ws.on('message', (d: Buffer) => watcher.onFrame(d.toString()));
    ws.on('close', (code) => (watcher.closeCode = code));
    return watcher;
  }

  private onFrame(text: string): void {
    for (const line of text.split('\n')) {
      const m = JSON.parse(line) as { type: string; data?: { n: number } };
      if (m.type === 'ping') this.ws.send('{"type":"pong"}');
      if (m.type === 'event' && m.data !== undefined) this.numbers.push(m.data.n);
    }
    this.waiters = this.waiters.filter((w) => {
      if (this.numbers.length < w.count) return true;
      w.resolve();
      return false;
    });
  }

  until(count: number): Promise<void> {
    if (this.numbers.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  close(): void {
    this.ws.terminate();
  }
}

// ---- attackers ----

const ALLOWED_CLOSES = new Set([1000, 4001, 4003, 4500, 4503]);

interface ClientOutcome {
  closeCode: number | undefined;
  errorCodes: string[];
}

/** An authenticated client that sends 150 seeded frames, then a ping it waits for. */
async function fuzzClient(r: SeededRandom, user: string): Promise<ClientOutcome> {
  const ws = new WebSocket(proc.wsUrl);
  const errorCodes: string[] = [];
  let closeCode: number | undefined;
  const closed = new Promise<void>((resolve) =>
    ws.on('close', (code) => {
      closeCode = code;
      resolve();
    }),
  );
  let ponged: () => void = () => undefined;
  const finalPong = new Promise<void>((resolve) => (ponged = resolve));
  let isConnected: () => void = () => undefined;
  const connected = new Promise<void>((resolve) => (isConnected = resolve));
  ws.on('message', (d: Buffer) => {
    for (const line of d.toString().split('\n')) {
      const m = JSON.parse(line) as { type: string; id?: number; code?: string };
      if (m.type === 'connected') isConnected();
      if (m.type === 'error' && m.code !== undefined) errorCodes.push(m.code);
      if (m.type === 'ping') ws.send('{"type":"pong"}');
      if (m.type === 'pong' && m.id === 999_999_999) ponged();
    }
  });
  ws.on('error', () => undefined);
  await new Promise((resolve) => ws.on('open', resolve));
  ws.send(
    JSON.stringify({
      type: 'connect',
      token: await signTestToken({
        sub: user,
        org: 'acme',
        subscribe: ['junk.>', 'watch.>'],
        publish: ['junk.>'],
      }),
    }),
  );
  // Anything before `connected` is a protocol violation (4500): the fuzzing starts after it.
  await Promise.race([connected, closed]);
  for (let i = 0; i < 150 && ws.readyState === WebSocket.OPEN; i++) {
    const frame = randomFrame(r, MAX_MESSAGE_BYTES);
    ws.send(frame.data, { binary: frame.binary });
  }
  if (ws.readyState === WebSocket.OPEN) ws.send('{"type":"ping","id":999999999}');
  await Promise.race([finalPong, closed]);
  if (closeCode === undefined) {
    ws.close(1000);
    await closed;
  }
  return { closeCode, errorCodes };
}

interface RawPeer {
  received: string;
  gone: Promise<void>;
  stopTrickle(): void;
}

/** A peer that sends `request` and then nothing, reading what comes back. */
function rawPeer(port: number, request: string): Promise<RawPeer> {
  return new Promise((resolve) => {
    const peer: RawPeer = { received: '', gone: Promise.resolve(), stopTrickle: () => undefined };
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(request);
      resolve(peer);
    });
    peer.gone = new Promise((done) => socket.on('close', () => done()));
    socket.on('data', (d: Buffer) => (peer.received += d.toString('latin1')));
    socket.on('error', () => undefined);
  });
}

/** A request whose headers trickle in a line every 100 ms and never end. */
function slowLoris(port: number): Promise<RawPeer> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const socket = connect(port, '127.0.0.1', () => {
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
      let i = 0;
      timer = setInterval(() => socket.write(`X-${i++}: y\r\n`), 100);
      resolve(peer);
    });
    const peer: RawPeer = {
      received: '',
      gone: new Promise((done) => socket.on('close', () => done())),
      stopTrickle: () => clearInterval(timer),
    };
    socket.on('close', () => clearInterval(timer));
    socket.on('data', (d: Buffer) => (peer.received += d.toString('latin1')));
    socket.on('error', () => undefined);
  });
}

/** Sends one HTTP request over a raw socket; resolves with the status (0: no answer). */
function rawHttp(
  port: number,
  spec: { method: string; path: string; headers: Record<string, string>; body?: string | Buffer },
): Promise<number> {
  return new Promise((resolve) => {
    const body = spec.body === undefined ? undefined : Buffer.from(spec.body);
    const lines = [`${spec.method} ${spec.path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
    for (const [k, v] of Object.entries(spec.headers)) lines.push(`${k}: ${v}`);
    if (body !== undefined) lines.push(`Content-Length: ${body.length}`);
    let text = '';
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (body !== undefined) socket.write(body);
    });
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)));
  });
}

function pauseSocket(ws: WebSocket): void {
  (ws as unknown as { _socket: Socket })._socket.pause();
}
function resumeSocket(ws: WebSocket): void {
  (ws as unknown as { _socket: Socket })._socket.resume();
}

/** Polls /metrics until the sample named (with its labels) reaches `atLeast`. */
async function untilMetric(node: ServeProcess, sample: string, atLeast: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const text = await (await fetch(`${node.httpUrl}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
    const value = Number(line?.split(' ')[1] ?? 0);
    if (value >= atLeast) return;
    if (Date.now() > deadline) throw new Error(`${sample} is ${value}, not >= ${atLeast}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Publishes `count` events to `channel`, one a request; resolves with the last cursor. */
async function publishBulk(
  node: ServeProcess,
  channel: string,
  count: number,
  pad = '',
): Promise<string> {
  let cursor = '';
  for (let n = 0; n < count; n++) {
    const res = await fetch(`${node.httpUrl}/api/publish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
      body: JSON.stringify({ org: 'acme', channel, data: { n, pad } }),
    });
    expect(res.status).toBe(200);
    cursor = ((await res.json()) as { cursor: string }).cursor;
  }
  return cursor;
}

/** Every event id of `watch.>` in the history, oldest first, paged with `after`. */
async function historyIds(node: ServeProcess): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined = watcher.firstCursor;
  for (;;) {
    const q = new URLSearchParams({ org: 'acme', channel: 'watch.>', limit: '1000' });
    if (after !== undefined) q.set('after', after);
    const res = await fetch(`${node.httpUrl}/api/history?${q.toString()}`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
    });
    const page = (await res.json()) as {
      events: { event_id: string; cursor: string }[];
      more: boolean;
      cursor?: string;
    };
    ids.push(...page.events.map((e) => e.event_id));
    if (!page.more) return ids;
    after = page.cursor ?? page.events[page.events.length - 1]?.cursor;
  }
}

/** A config file with a tenant-bound API key; removed after the suite. */
function writeConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hubcast-abuse-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'config.json');
  writeFileSync(path, JSON.stringify({ apiKeys: [{ key: TENANT_KEY, org: 'acme' }] }));
  return path;
}
