/**
 * A generator thread of the `polling` scenario: holds its share of the pollers or of the
 * hubcast subscribers (poll-clients.ts), starts the pollers' timers on the phases it is given,
 * and answers how many clients saw a change and, at the end, every client's book.
 */
import { parentPort } from 'node:worker_threads';
import { SignJWT } from 'jose';
import { pollPhaseMs } from '../scenarios/polling-figures.js';
import { Poller, Subscriber, type ChangeBook } from './poll-clients.js';

/** What a thread is asked to hold. */
export interface FleetSpec {
  mode: 'poll' | 'push';
  host: string;
  port: number;
  /** This thread's clients are `firstIndex` .. `firstIndex + count - 1` of `total`. */
  firstIndex: number;
  count: number;
  total: number;
  /** Changes the run makes: the size of every client's book. */
  changes: number;
  maxInFlight: number;
  /** push: who the clients are to hubcast, and the channel they subscribe to. */
  jwtSecret: string;
  org: string;
  channel: string;
}

export type FleetRequest =
  | { type: 'connect'; spec: FleetSpec }
  /** Pollers: client i polls first at `startMs + (i / total) × intervalMs`, then every interval. */
  | { type: 'start'; startMs: number; intervalMs: number }
  /** How many clients have seen change `version`. */
  | { type: 'status'; version: number }
  | { type: 'collect' };

export type FleetReply =
  | { type: 'progress'; ready: number; failed: number }
  | { type: 'connected'; ready: number; failed: number; errors: string[] }
  | { type: 'started' }
  | { type: 'status'; seen: number; requests: number }
  | {
      type: 'collected';
      /** `count × changes` first-seen times, client by client. */
      seen: Float64Array;
      requests: number;
      errors: number;
      /** Pollers: answers, their summed round trips (ms), polls due while one was out. */
      responses: number;
      roundTripMsSum: number;
      late: number;
      duplicated: number;
      closed: number;
      errorTexts: string[];
    };

const port = parentPort;
if (port === null) throw new Error('poll-fleet-worker runs in a worker thread');

let spec: FleetSpec | undefined;
let pollers: Poller[] = [];
let subscribers: Subscriber[] = [];
const reply = (msg: FleetReply, transfer: ArrayBuffer[] = []): void =>
  port.postMessage(msg, transfer);

async function connectAll(s: FleetSpec): Promise<void> {
  spec = s;
  const errors: string[] = [];
  let ready = 0;
  let failed = 0;
  const key = new TextEncoder().encode(s.jwtSecret);
  const exp = Math.floor(Date.now() / 1000) + 86_400;
  let next = 0;
  let lastReport = 0;
  const one = async (): Promise<void> => {
    for (let i = next++; i < s.count; i = next++) {
      try {
        if (s.mode === 'poll') {
          const p = new Poller(s.host, s.port, s.changes);
          await p.open();
          pollers.push(p);
        } else {
          const token = await new SignJWT({ org: s.org })
            .setProtectedHeader({ alg: 'HS256' })
            .setSubject(`u${s.firstIndex + i}`)
            .setExpirationTime(exp)
            .sign(key);
          const sub = new Subscriber(s.changes);
          await sub.open(`ws://${s.host}:${s.port}/ws`, token, s.channel);
          subscribers.push(sub);
        }
        ready++;
      } catch (err) {
        failed++;
        if (errors.length < 5) errors.push((err as Error).message);
      }
      const now = performance.now();
      if (now - lastReport > 200) {
        lastReport = now;
        reply({ type: 'progress', ready, failed });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, s.maxInFlight) }, one));
  reply({ type: 'connected', ready, failed, errors });
}

function books(): ChangeBook[] {
  return spec?.mode === 'poll' ? pollers : subscribers;
}

port.on('message', (msg: FleetRequest) => {
  switch (msg.type) {
    case 'connect':
      void connectAll(msg.spec);
      return;
    case 'start': {
      const s = spec;
      // The i-th poller held takes the i-th phase: distinct phases, evenly spread.
      if (s !== undefined)
        pollers.forEach((p, i) =>
          p.start(
            msg.startMs + pollPhaseMs(s.firstIndex + i, s.total, msg.intervalMs),
            msg.intervalMs,
          ),
        );
      reply({ type: 'started' });
      return;
    }
    case 'status': {
      const seen = books().filter((b) => (b.seen[msg.version - 1] ?? 0) > 0).length;
      reply({ type: 'status', seen, requests: pollers.reduce((n, p) => n + p.requests, 0) });
      return;
    }
    case 'collect': {
      const list = books();
      const changes = spec?.changes ?? 0;
      const seen = new Float64Array(list.length * changes);
      list.forEach((b, i) => seen.set(b.seen, i * changes));
      const errorTexts = pollers.flatMap((p) => (p.lastError === undefined ? [] : [p.lastError]));
      for (const p of pollers) p.stop();
      for (const sub of subscribers) sub.close();
      reply(
        {
          type: 'collected',
          seen,
          requests: pollers.reduce((n, p) => n + p.requests, 0),
          errors: pollers.reduce((n, p) => n + p.errors, 0),
          responses: pollers.reduce((n, p) => n + p.responses, 0),
          roundTripMsSum: pollers.reduce((n, p) => n + p.roundTripMsSum, 0),
          late: pollers.reduce((n, p) => n + p.late, 0),
          duplicated: list.reduce((n, b) => n + b.duplicated, 0),
          // Closes while the window was open: the subscribers are terminated only after this.
          closed: subscribers.reduce((n, sub) => n + sub.closed, 0),
          errorTexts: [...new Set(errorTexts)].slice(0, 5),
        },
        [seen.buffer],
      );
      pollers = [];
      subscribers = [];
      return;
    }
  }
});
