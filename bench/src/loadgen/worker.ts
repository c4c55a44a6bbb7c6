/**
 * A generator worker thread: holds its share of the connections, keeps the exactly-once
 * books and latency samples, and answers the main thread (worker-protocol.ts).
 */
import { parentPort } from 'node:worker_threads';
import { SignJWT } from 'jose';
import { ADAPTERS } from './adapters.js';
import { Conn, type ConnHooks } from './client-conn.js';
import { nowMs } from './payload.js';
import { SampleBuffer } from './sample-buffer.js';
import { DUPLICATE, recordSeq, settleSeq } from './seq-window.js';
import type { ConnectSpec, WorkerReply, WorkerRequest } from './worker-protocol.js';

/** 2M samples (16 MB) per worker and window: beyond that the reservoir keeps a uniform sample. */
const SAMPLE_CAP = 2_000_000;
const PROGRESS_EVERY_MS = 100;

const port = parentPort;
if (port === null) throw new Error('worker.ts runs as a worker thread');
const reply = (msg: WorkerReply, transfer?: ArrayBuffer[]): void => port.postMessage(msg, transfer);

let conns: Conn[] = [];
const totals = { deliveries: 0, duplicated: 0, lost: 0 };
let mark = { ...totals };
let closes: Record<string, number> = {};
let samples = new SampleBuffer(SAMPLE_CAP);
let windowOpen = false;
let lastRecvMs = 0;
/** The pending `end`: how many connections still lack events up to `lastSeq`. */
let awaiting: { id: number; lastSeq: number; behind: number; timer: NodeJS.Timeout } | undefined;

const hooks: ConnHooks = {
  ready: () => {},
  failed: () => {},
  delivered(conn, seq, sentAtMs) {
    if (conn.excluded) return;
    const wasBehind = awaiting !== undefined && conn.nextSeq <= awaiting.lastSeq;
    const r = recordSeq(conn, seq);
    if (r === DUPLICATE) {
      totals.duplicated++;
      return;
    }
    totals.deliveries++;
    totals.lost += r;
    if (windowOpen) {
      samples.add(conn.recvMs - sentAtMs);
      if (conn.recvMs > lastRecvMs) lastRecvMs = conn.recvMs;
    }
    if (wasBehind && awaiting !== undefined && conn.nextSeq > awaiting.lastSeq) {
      if (--awaiting.behind === 0) finishWindow();
    }
  },
  closed(conn) {
    const code = String(conn.closeCode);
    closes[code] = (closes[code] ?? 0) + 1;
    // A closed connection will not get what it lacks: stop waiting for it.
    if (awaiting !== undefined && !conn.excluded && conn.nextSeq <= awaiting.lastSeq) {
      if (--awaiting.behind === 0) finishWindow();
    }
  },
};

function finishWindow(): void {
  const w = awaiting;
  if (w === undefined) return;
  awaiting = undefined;
  clearTimeout(w.timer);
  windowOpen = false;
  let active = 0;
  for (const c of conns) {
    if (c.excluded) continue;
    if (c.state === 'ready') active++;
    totals.lost += settleSeq(c, w.lastSeq);
  }
  const taken = samples.take();
  reply(
    {
      type: 'ended',
      id: w.id,
      deliveries: totals.deliveries - mark.deliveries,
      lost: totals.lost - mark.lost,
      duplicated: totals.duplicated - mark.duplicated,
      lastRecvMs,
      samples: taken,
      active,
      closes,
    },
    [taken.buffer as ArrayBuffer],
  );
}

async function connectAll(id: number, spec: ConnectSpec): Promise<void> {
  const adapter = ADAPTERS[spec.target];
  const slowChannels = [...spec.channels, ...spec.slowChannels];
  // Tokens are signed before the ramp, so the connect rate measures the target, not jose.
  const tokens: string[] = [];
  if (spec.target === 'hubcast') {
    const key = new TextEncoder().encode(spec.jwtSecret ?? '');
    const exp = Math.floor(Date.now() / 1000) + 86_400;
    for (let i = 0; i < spec.count; i++) {
      tokens.push(
        await new SignJWT({ org: spec.org ?? 'bench' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(`u${spec.firstIndex + i}`)
          .setExpirationTime(exp)
          .sign(key),
      );
    }
  }
  let next = 0;
  let inFlight = 0;
  let ready = 0;
  let failed = 0;
  let lastReadyMs = 0;
  const errors = new Set<string>();
  const startedMs = nowMs();
  const progress = setInterval(() => reply({ type: 'progress', ready, failed }), PROGRESS_EVERY_MS);
  await new Promise<void>((resolve) => {
    const launch = (): void => {
      while (inFlight < spec.maxInFlight && next < spec.count) {
        const i = next++;
        const index = spec.firstIndex + i;
        const slow = index % spec.slowEvery === 0;
        inFlight++;
        let settled = false;
        const settle = (ok: boolean, reason?: string): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          inFlight--;
          if (ok) {
            ready++;
            lastReadyMs = nowMs();
          } else {
            failed++;
            if (errors.size < 5 && reason !== undefined) errors.add(reason);
          }
          launch();
        };
        const conn = new Conn(index, slow, {
          host: spec.host,
          port: spec.port,
          adapter,
          channels: slow ? slowChannels : spec.channels,
          token: tokens[i] ?? '',
          hooks: {
            ...hooks,
            ready: (c) => {
              conns.push(c);
              settle(true);
            },
            failed: (_c, reason) => settle(false, reason),
          },
        });
        const timer = setTimeout(() => conn.fail('handshake timed out'), spec.handshakeTimeoutMs);
      }
      if (inFlight === 0 && next >= spec.count) resolve();
    };
    launch();
  });
  clearInterval(progress);
  reply({
    type: 'connected',
    id,
    ready,
    failed,
    errors: [...errors],
    startedMs,
    lastReadyMs,
  });
}

port.on('message', (msg: WorkerRequest) => {
  switch (msg.type) {
    case 'connect':
      connectAll(msg.id, msg.spec).catch((err: unknown) =>
        reply({ type: 'error', id: msg.id, message: (err as Error).message }),
      );
      break;
    case 'begin':
      mark = { ...totals };
      closes = {};
      samples = new SampleBuffer(SAMPLE_CAP);
      lastRecvMs = 0;
      windowOpen = true;
      reply({ type: 'begun', id: msg.id });
      break;
    case 'end': {
      let behind = 0;
      for (const c of conns)
        if (!c.excluded && c.state === 'ready' && c.nextSeq <= msg.lastSeq) behind++;
      awaiting = {
        id: msg.id,
        lastSeq: msg.lastSeq,
        behind,
        timer: setTimeout(finishWindow, msg.waitMs),
      };
      if (behind === 0) finishWindow();
      break;
    }
    case 'pause': {
      let count = 0;
      for (const c of conns) {
        if (!c.slow) continue;
        c.excluded = true;
        c.socket.pause();
        count++;
      }
      reply({ type: 'paused', id: msg.id, count });
      break;
    }
    case 'disconnect':
      finishWindow(); // a window left open by a failed scenario must not outlive its connections
      for (const c of conns) c.close();
      conns = [];
      reply({ type: 'disconnected', id: msg.id });
      break;
    default: {
      const never: never = msg;
      throw new Error(`unknown worker request ${JSON.stringify(never)}`);
    }
  }
});
