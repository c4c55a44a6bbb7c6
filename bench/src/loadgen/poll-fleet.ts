/**
 * The main thread's side of the `polling` scenario's clients: spreads them over worker threads
 * (poll-fleet-worker.ts), reports the ramp's progress, starts the pollers, asks how many saw a
 * change, and merges every client's book at the end.
 */
import { Worker } from 'node:worker_threads';
import type { FleetReply, FleetRequest, FleetSpec } from './poll-fleet-worker.js';

export interface FleetRamp {
  ready: number;
  failed: number;
  errors: string[];
}

/** Every client's book, client by client (`clients × changes` first-seen times, 0 = never). */
export interface FleetBooks {
  seen: Float64Array;
  clients: number;
  requests: number;
  errors: number;
  /** Pollers: answers, their summed round trips (ms), polls due while one was out. */
  responses: number;
  roundTripMsSum: number;
  late: number;
  duplicated: number;
  closed: number;
  errorTexts: string[];
}

type Collected = Extract<FleetReply, { type: 'collected' }>;

export class PollFleet {
  private readonly inbox: ((msg: FleetReply) => void)[][];
  private progress: ((ready: number, failed: number) => void) | undefined;
  private readonly ramp: { ready: number; failed: number }[];

  private constructor(private readonly workers: Worker[]) {
    this.inbox = workers.map(() => []);
    this.ramp = workers.map(() => ({ ready: 0, failed: 0 }));
    workers.forEach((w, i) => {
      w.on('message', (msg: FleetReply) => {
        if (msg.type === 'progress') {
          this.ramp[i] = { ready: msg.ready, failed: msg.failed };
          const sum = this.ramp.reduce((a, r) => ({
            ready: a.ready + r.ready,
            failed: a.failed + r.failed,
          }));
          this.progress?.(sum.ready, sum.failed);
          return;
        }
        this.inbox[i]?.shift()?.(msg);
      });
    });
  }

  static start(threads: number): PollFleet {
    const url = new URL('./poll-fleet-worker.js', import.meta.url);
    return new PollFleet(Array.from({ length: Math.max(1, threads) }, () => new Worker(url)));
  }

  get size(): number {
    return this.workers.length;
  }

  /** Opens `spec.total` clients, split evenly over the threads. */
  async connect(
    spec: Omit<FleetSpec, 'firstIndex' | 'count'>,
    onProgress?: (ready: number, failed: number) => void,
  ): Promise<FleetRamp> {
    this.progress = onProgress;
    const n = this.workers.length;
    const base = Math.floor(spec.total / n);
    let first = 0;
    const replies = await this.all((i) => {
      const count = base + (i < spec.total % n ? 1 : 0);
      const msg: FleetRequest = {
        type: 'connect',
        spec: { ...spec, firstIndex: first, count, maxInFlight: Math.ceil(spec.maxInFlight / n) },
      };
      first += count;
      return msg;
    });
    this.progress = undefined;
    const out: FleetRamp = { ready: 0, failed: 0, errors: [] };
    for (const r of replies)
      if (r.type === 'connected') {
        out.ready += r.ready;
        out.failed += r.failed;
        out.errors.push(...r.errors);
      }
    return out;
  }

  /** Starts the pollers' timers (a push fleet has none). */
  async start(startMs: number, intervalMs: number): Promise<void> {
    await this.all(() => ({ type: 'start', startMs, intervalMs }));
  }

  /** Clients that have seen change `version`, and poll requests sent so far. */
  async status(version: number): Promise<{ seen: number; requests: number }> {
    const replies = await this.all(() => ({ type: 'status', version }));
    let seen = 0;
    let requests = 0;
    for (const r of replies)
      if (r.type === 'status') {
        seen += r.seen;
        requests += r.requests;
      }
    return { seen, requests };
  }

  /** Every client's book; the clients stop polling and close. */
  async collect(changes: number): Promise<FleetBooks> {
    const replies = (await this.all(() => ({ type: 'collect' }))).filter(
      (r): r is Collected => r.type === 'collected',
    );
    const total = replies.reduce((n, r) => n + r.seen.length, 0);
    const seen = new Float64Array(total);
    let at = 0;
    for (const r of replies) {
      seen.set(r.seen, at);
      at += r.seen.length;
    }
    const sum = (
      k: 'requests' | 'errors' | 'responses' | 'roundTripMsSum' | 'late' | 'duplicated' | 'closed',
    ): number => replies.reduce((n, r) => n + r[k], 0);
    return {
      seen,
      clients: changes > 0 ? total / changes : 0,
      requests: sum('requests'),
      errors: sum('errors'),
      responses: sum('responses'),
      roundTripMsSum: sum('roundTripMsSum'),
      late: sum('late'),
      duplicated: sum('duplicated'),
      closed: sum('closed'),
      errorTexts: [...new Set(replies.flatMap((r) => r.errorTexts))].slice(0, 5),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Sends each thread its request and waits for every answer (they answer in order). */
  private all(request: (i: number) => FleetRequest): Promise<FleetReply[]> {
    return Promise.all(
      this.workers.map(
        (w, i) =>
          new Promise<FleetReply>((resolve, reject) => {
            const onError = (err: Error): void => reject(err);
            w.once('error', onError);
            this.inbox[i]?.push((msg) => {
              w.off('error', onError);
              resolve(msg);
            });
            w.postMessage(request(i));
          }),
      ),
    );
  }
}
