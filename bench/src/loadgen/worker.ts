/**
 * A generator worker thread: holds its share of the connections, keeps the exactly-once
 * books and latency samples, sends its connections' chat messages in the `rooms` scenario,
 * holds `storm`'s reconnecting clients (storm-fleet.ts), and answers the main thread
 * (worker-protocol.ts).
 */
import { parentPort } from 'node:worker_threads';
import { ADAPTERS } from './adapters.js';
import { Conn, type ConnHooks } from './client-conn.js';
import { identities, type Identity } from './identities.js';
import { eventData, nowMs } from './payload.js';
import {
  roomMembers,
  roomMessageCount,
  roomName,
  roomOfSeq,
  roomSeqOf,
  senderOf,
  type RoomsShape,
  type RoomsVia,
} from './rooms.js';
import { SampleBuffer } from './sample-buffer.js';
import { StormFleet } from './storm-fleet.js';
import { DUPLICATE, recordSeq, settleSeq, type SeqWindow } from './seq-window.js';
import type { ConnectSpec, RoomsPlan, WorkerReply, WorkerRequest } from './worker-protocol.js';

/** 2M samples (16 MB) per worker and window: beyond that the reservoir keeps a uniform sample. */
const SAMPLE_CAP = 2_000_000;
const PROGRESS_EVERY_MS = 100;
/** Refusal texts kept per window, for the report's notes. */
const REFUSALS_KEPT = 3;

const port = parentPort;
if (port === null) throw new Error('worker.ts runs as a worker thread');
const reply = (msg: WorkerReply, transfer?: ArrayBuffer[]): void => port.postMessage(msg, transfer);
/** `storm`'s reconnecting clients, kept apart from the one-shot connections below. */
const storm = new StormFleet(reply);

let conns: Conn[] = [];
const totals = { deliveries: 0, duplicated: 0, lost: 0, stray: 0, refused: 0 };
let mark = { ...totals };
let refusals: string[] = [];
/** `rooms`: the shape of the connected world, this worker's index range, its ready senders. */
let shape: RoomsShape | undefined;
let via: RoomsVia | undefined;
let owned = { first: 0, count: 0 };
let byIndex = new Map<number, Conn>();
let publishing: { id: number; timer: NodeJS.Timeout } | undefined;
let closes: Record<string, number> = {};
let samples = new SampleBuffer(SAMPLE_CAP);
let windowOpen = false;
let lastRecvMs = 0;
/**
 * The pending `end`: how many windows (connections, or connection × room in `rooms`) still
 * lack events up to `lastSeq`.
 */
let awaiting: { id: number; lastSeq: number; behind: number; timer: NodeJS.Timeout } | undefined;

const hooks: ConnHooks = {
  ready: () => {},
  failed: () => {},
  delivered(conn, seq, sentAtMs) {
    if (conn.excluded) return;
    let w: SeqWindow = conn;
    let local = seq;
    let last = awaiting?.lastSeq ?? 0;
    const streams = conn.streams;
    if (streams !== undefined && shape !== undefined) {
      const room = roomOfSeq(shape, seq);
      const slot = streams.rooms.indexOf(room);
      const roomWindow = streams.windows[slot];
      if (roomWindow === undefined) {
        totals.stray++;
        return;
      }
      w = roomWindow;
      local = roomSeqOf(shape, seq);
      last = roomMessageCount(shape, last, room);
    }
    const wasBehind = awaiting !== undefined && w.nextSeq <= last;
    const r = recordSeq(w, local);
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
    if (wasBehind && awaiting !== undefined && w.nextSeq > last) {
      if (--awaiting.behind === 0) finishWindow();
    }
  },
  closed(conn) {
    const code = String(conn.closeCode);
    closes[code] = (closes[code] ?? 0) + 1;
    // A closed connection will not get what it lacks: stop waiting for it.
    if (awaiting !== undefined && !conn.excluded) {
      const n = lacking(conn, awaiting.lastSeq);
      if (n > 0 && (awaiting.behind -= n) <= 0) finishWindow();
    }
  },
  refused(_conn, reply) {
    totals.refused++;
    if (refusals.length < REFUSALS_KEPT) refusals.push(reply);
  },
};

/** How many of a connection's windows lack events up to `lastSeq` (0 or 1 outside `rooms`). */
function lacking(conn: Conn, lastSeq: number): number {
  const streams = conn.streams;
  if (streams === undefined || shape === undefined) return conn.nextSeq <= lastSeq ? 1 : 0;
  let n = 0;
  for (let i = 0; i < streams.rooms.length; i++) {
    const count = roomMessageCount(shape, lastSeq, streams.rooms[i] as number);
    if ((streams.windows[i] as SeqWindow).nextSeq <= count) n++;
  }
  return n;
}

/** Closes a connection's books up to `lastSeq`; returns how many events never came. */
function settleConn(conn: Conn, lastSeq: number): number {
  const streams = conn.streams;
  if (streams === undefined || shape === undefined) return settleSeq(conn, lastSeq);
  let lost = 0;
  for (let i = 0; i < streams.rooms.length; i++) {
    const count = roomMessageCount(shape, lastSeq, streams.rooms[i] as number);
    lost += settleSeq(streams.windows[i] as SeqWindow, count);
  }
  return lost;
}

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
    totals.lost += settleConn(c, w.lastSeq);
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
      stray: totals.stray - mark.stray,
      refused: totals.refused - mark.refused,
      refusals,
    },
    [taken.buffer as ArrayBuffer],
  );
}

async function connectAll(id: number, spec: ConnectSpec): Promise<void> {
  const adapter = ADAPTERS[spec.target];
  shape = spec.rooms;
  via = spec.roomsVia;
  owned = { first: spec.firstIndex, count: spec.count };
  const ids = await identities(spec);
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
        const slow = shape === undefined && spec.slowEvery > 0 && index % spec.slowEvery === 0;
        const identity = ids[i] as Identity;
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
          ...(spec.localAddress === undefined ? {} : { localAddress: spec.localAddress }),
          ...(spec.localPortFrom === undefined ? {} : { localPort: spec.localPortFrom + i }),
          adapter,
          channels: identity.channels,
          ...(identity.rooms === undefined ? {} : { rooms: identity.rooms }),
          token: identity.token,
          hooks: {
            ...hooks,
            ready: (c) => {
              conns.push(c);
              if (shape !== undefined) byIndex.set(c.index, c);
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

/**
 * Sends this worker's share of the plan: every worker walks the same schedule and sends the
 * messages whose sender connection it holds, each stamped when it is written.
 */
function publishRooms(id: number, plan: RoomsPlan): void {
  const s = shape;
  if (s === undefined) {
    reply({ type: 'error', id, message: 'publishRooms before a rooms connect' });
    return;
  }
  const members = Array.from({ length: s.rooms }, (_, r) => roomMembers(s, r));
  const names = Array.from({ length: s.rooms }, (_, r) => roomName(r, via));
  const interval = 1000 / plan.ratePerSec;
  const end = owned.first + owned.count;
  let next = 1;
  let sent = 0;
  let unsent = 0;
  let maxLagMs = 0;
  const step = (): void => {
    const now = nowMs();
    for (; next <= plan.total; next++) {
      const due = plan.startAtMs + (next - 1) * interval;
      if (due > now) break;
      const room = roomOfSeq(s, next);
      const index = senderOf(s, next, members[room] as number[]);
      if (index < owned.first || index >= end) continue; // another worker's sender
      const conn = byIndex.get(index);
      if (conn === undefined || conn.state !== 'ready') {
        unsent++;
        continue;
      }
      const t = nowMs();
      conn.publish(names[room] as string, eventData(next, t));
      sent++;
      if (t - due > maxLagMs) maxLagMs = t - due;
    }
    if (next <= plan.total) {
      const wait = plan.startAtMs + (next - 1) * interval - nowMs();
      publishing = { id, timer: setTimeout(step, Math.max(0, wait)) };
    } else {
      publishing = undefined;
      reply({ type: 'roomsPublished', id, sent, unsent, maxLagMs });
    }
  };
  publishing = { id, timer: setTimeout(step, Math.max(0, plan.startAtMs - nowMs())) };
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
      refusals = [];
      samples = new SampleBuffer(SAMPLE_CAP);
      lastRecvMs = 0;
      windowOpen = true;
      reply({ type: 'begun', id: msg.id });
      break;
    case 'end': {
      let behind = 0;
      for (const c of conns)
        if (!c.excluded && c.state === 'ready') behind += lacking(c, msg.lastSeq);
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
    case 'publishRooms':
      publishRooms(msg.id, msg.plan);
      break;
    case 'stormConnect':
      storm
        .connect(msg.id, msg.spec)
        .catch((err: unknown) =>
          reply({ type: 'error', id: msg.id, message: (err as Error).message }),
        );
      break;
    case 'stormRecovery':
      storm.awaitRecovery(msg.id, msg.waitMs);
      break;
    case 'stormEnd':
      storm.end(msg.id, msg.fromSeq, msg.lastSeq, msg.waitMs);
      break;
    case 'disconnect':
      finishWindow(); // a window left open by a failed scenario must not outlive its connections
      if (publishing !== undefined) {
        clearTimeout(publishing.timer);
        reply({ type: 'error', id: publishing.id, message: 'disconnected while publishing' });
        publishing = undefined;
      }
      for (const c of conns) c.close();
      conns = [];
      storm.stop();
      byIndex = new Map();
      shape = undefined;
      via = undefined;
      reply({ type: 'disconnected', id: msg.id });
      break;
    default: {
      const never: never = msg;
      throw new Error(`unknown worker request ${JSON.stringify(never)}`);
    }
  }
});
