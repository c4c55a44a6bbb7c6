/**
 * The main thread's side of the generator: spreads connections over worker threads, opens and
 * closes measurement windows on all of them at once and merges what they report.
 */
import { Worker } from 'node:worker_threads';
import { concatSamples } from '../stats/summary.js';
import type {
  ConnectSpec,
  RampReply,
  RoomsPlan,
  RoomsPublishedReply,
  StormEndReply,
  StormRecoveryReply,
  StormSpec,
  WindowReply,
  WorkerReply,
  WorkerRequest,
} from './worker-protocol.js';

export interface RampResult {
  ready: number;
  failed: number;
  errors: string[];
  /** From the first connect to the last ready connection. */
  rampMs: number;
  /** When the first connect started and the last connection was ready (`nowMs`). */
  startedMs: number;
  lastReadyMs: number;
}

/** One window's figures summed over workers: a worker's `ended` reply without its envelope. */
export type WindowResult = Omit<WindowReply, 'type' | 'id'>;

/** What the workers sent of a `rooms` plan, summed. */
export type RoomsPublished = Omit<RoomsPublishedReply, 'type' | 'id'>;

/** `storm`: the restart as the clients lived it, merged over workers (times are `nowMs`). */
export type StormRecovery = Omit<StormRecoveryReply, 'type' | 'id'>;

/** `storm`: the exactly-once books of every client, summed. */
export type StormBooks = Omit<StormEndReply, 'type' | 'id'>;

/** Connection specs as the pool takes them: it assigns each worker its share. */
export type PoolConnectSpec = Omit<ConnectSpec, 'firstIndex' | 'count' | 'maxInFlight'> & {
  maxInFlight: number;
  /** The global index of the pool's first connection (default 0): names its users. */
  firstIndex?: number;
};

/**
 * What a session needs of the generator's connections, wherever they are held: this process's
 * worker threads (LoadPool) or other generator processes (remote-pool.ts, pool-group.ts).
 */
export interface ConnectionPool {
  /** Generator threads holding the connections (what `isGeneratorBound` divides by). */
  readonly size: number;
  connect(
    total: number,
    spec: PoolConnectSpec,
    onProgress?: (ready: number, failed: number) => void,
  ): Promise<RampResult>;
  begin(): Promise<void>;
  end(lastSeq: number, waitMs: number): Promise<WindowResult>;
  disconnect(): Promise<void>;
  /** CPU (µs) used so far by the other generator processes it drives; 0 without any. */
  remoteCpuMicros(): Promise<number>;
}

type Pending = { resolve: (r: WorkerReply) => void; reject: (err: Error) => void };
/** Requests without their id: the pool numbers them. */
type Request = WorkerRequest extends infer R
  ? R extends { id: number }
    ? Omit<R, 'id'>
    : never
  : never;

export class LoadPool implements ConnectionPool {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly progress: { ready: number; failed: number }[];
  private onProgress: ((ready: number, failed: number) => void) | undefined;
  private closed = false;

  private constructor(private readonly workers: Worker[]) {
    this.progress = workers.map(() => ({ ready: 0, failed: 0 }));
    workers.forEach((w, i) => {
      w.on('message', (msg: WorkerReply) => this.onReply(i, msg));
      w.on('error', (err) => this.failAll(err));
      w.on('exit', (code) => {
        if (!this.closed) this.failAll(new Error(`generator worker ${i} exited (${code})`));
      });
    });
  }

  static start(count: number): LoadPool {
    const url = new URL('./worker.js', import.meta.url);
    return new LoadPool(Array.from({ length: Math.max(1, count) }, () => new Worker(url)));
  }

  get size(): number {
    return this.workers.length;
  }

  /** Opens `total` connections, split evenly over the workers, reporting progress as it goes. */
  async connect(
    total: number,
    spec: PoolConnectSpec,
    onProgress?: (ready: number, failed: number) => void,
  ): Promise<RampResult> {
    const { firstIndex = 0, localPortFrom, ...rest } = spec;
    return this.ramp(
      total,
      spec.maxInFlight,
      onProgress,
      (w, share) => {
        // Each worker's connections take the next source ports after the previous worker's.
        const ports =
          localPortFrom === undefined
            ? {}
            : { localPortFrom: localPortFrom + share.firstIndex - firstIndex };
        return this.call(w, { type: 'connect', spec: { ...rest, ...share, ...ports } });
      },
      firstIndex,
    );
  }

  /** `storm`: opens `total` reconnecting clients, split evenly over the workers. */
  async stormConnect(
    total: number,
    spec: Omit<StormSpec, 'firstIndex' | 'count'>,
    onProgress?: (ready: number, failed: number) => void,
  ): Promise<RampResult> {
    return this.ramp(total, spec.maxInFlight, onProgress, (w, share) =>
      this.call(w, { type: 'stormConnect', spec: { ...spec, ...share } }),
    );
  }

  /**
   * `storm`: resolves once every client has dropped and is live again (or after `waitMs`),
   * reporting how many are back as they come.
   */
  async stormRecovery(
    waitMs: number,
    onProgress?: (back: number, failed: number) => void,
  ): Promise<StormRecovery> {
    this.startProgress(onProgress);
    const replies = (await Promise.all(
      this.workers.map((w) => this.call(w, { type: 'stormRecovery', waitMs })),
    )) as StormRecoveryReply[];
    this.onProgress = undefined;
    const closes: Record<string, number> = {};
    for (const r of replies)
      for (const [code, n] of Object.entries(r.closes)) closes[code] = (closes[code] ?? 0) + n;
    const drops = replies.map((r) => r.firstDropMs).filter((t) => t > 0);
    return {
      clients: sum(replies.map((r) => r.clients)),
      back: sum(replies.map((r) => r.back)),
      firstDropMs: drops.length > 0 ? Math.min(...drops) : 0,
      lastLiveMs: Math.max(0, ...replies.map((r) => r.lastLiveMs)),
      reconnectMs: concatSamples(replies.map((r) => r.reconnectMs)),
      resets: sum(replies.map((r) => r.resets)),
      failedAttempts: sum(replies.map((r) => r.failedAttempts)),
      failures: [...new Set(replies.flatMap((r) => r.failures))],
      drops: sum(replies.map((r) => r.drops)),
      closes,
    };
  }

  /** `storm`: waits until every live client has `fromSeq..lastSeq`, then closes the books. */
  async stormEnd(fromSeq: number, lastSeq: number, waitMs: number): Promise<StormBooks> {
    const replies = (await Promise.all(
      this.workers.map((w) => this.call(w, { type: 'stormEnd', fromSeq, lastSeq, waitMs })),
    )) as StormEndReply[];
    return {
      clients: sum(replies.map((r) => r.clients)),
      live: sum(replies.map((r) => r.live)),
      deliveries: sum(replies.map((r) => r.deliveries)),
      lost: sum(replies.map((r) => r.lost)),
      duplicated: sum(replies.map((r) => r.duplicated)),
      clientsWithLoss: sum(replies.map((r) => r.clientsWithLoss)),
      maxLostPerClient: Math.max(0, ...replies.map((r) => r.maxLostPerClient)),
      clientsWithDuplicates: sum(replies.map((r) => r.clientsWithDuplicates)),
    };
  }

  async begin(): Promise<void> {
    await Promise.all(this.workers.map((w) => this.call(w, { type: 'begin' })));
  }

  /** Waits until every connection has every event up to `lastSeq` (or `waitMs`), then merges. */
  async end(lastSeq: number, waitMs: number): Promise<WindowResult> {
    const replies = (await Promise.all(
      this.workers.map((w) => this.call(w, { type: 'end', lastSeq, waitMs })),
    )) as WindowReply[];
    return mergeWindows(replies);
  }

  /** Every worker sends its connections' share of the `rooms` plan; resolves when all have. */
  async publishRooms(plan: RoomsPlan): Promise<RoomsPublished> {
    const replies = (await Promise.all(
      this.workers.map((w) => this.call(w, { type: 'publishRooms', plan })),
    )) as RoomsPublishedReply[];
    return {
      sent: sum(replies.map((r) => r.sent)),
      unsent: sum(replies.map((r) => r.unsent)),
      maxLagMs: Math.max(0, ...replies.map((r) => r.maxLagMs)),
    };
  }

  /** The slow connections (M8) stop reading; returns how many. */
  async pauseSlow(): Promise<number> {
    const replies = await Promise.all(this.workers.map((w) => this.call(w, { type: 'pause' })));
    return sum(replies.map((r) => (r.type === 'paused' ? r.count : 0)));
  }

  async disconnect(): Promise<void> {
    await Promise.all(this.workers.map((w) => this.call(w, { type: 'disconnect' })));
  }

  /** Its threads are this process's: `process.cpuUsage()` counts them already. */
  remoteCpuMicros(): Promise<number> {
    return Promise.resolve(0);
  }

  /** Terminates every worker (their sockets go with them). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.failAll(new Error('the generator pool is closed'));
  }

  /** Splits `total` connections over the workers and merges their ramp replies. */
  private async ramp(
    total: number,
    maxInFlight: number,
    onProgress: ((ready: number, failed: number) => void) | undefined,
    send: (
      w: Worker,
      share: { firstIndex: number; count: number; maxInFlight: number },
    ) => Promise<WorkerReply>,
    base = 0,
  ): Promise<RampResult> {
    this.startProgress(onProgress);
    const n = this.workers.length;
    const per = Math.ceil(total / n);
    const replies = (await Promise.all(
      this.workers.map((w, i) => {
        const first = i * per;
        const count = Math.max(0, Math.min(per, total - first));
        return send(w, {
          firstIndex: base + first,
          count,
          maxInFlight: Math.max(1, Math.ceil(maxInFlight / n)),
        });
      }),
    )) as RampReply[];
    this.onProgress = undefined;
    return mergeRamps(replies);
  }

  private startProgress(onProgress: ((ready: number, failed: number) => void) | undefined): void {
    this.onProgress = onProgress;
    for (const p of this.progress) p.ready = p.failed = 0;
  }

  private call(w: Worker, req: Request): Promise<WorkerReply> {
    if (this.closed) return Promise.reject(new Error('the generator pool is closed'));
    const id = this.nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ ...req, id });
    });
  }

  private onReply(worker: number, msg: WorkerReply): void {
    if (msg.type === 'progress') {
      const p = this.progress[worker];
      if (p !== undefined) {
        p.ready = msg.ready;
        p.failed = msg.failed;
      }
      this.onProgress?.(
        sum(this.progress.map((x) => x.ready)),
        sum(this.progress.map((x) => x.failed)),
      );
      return;
    }
    const p = this.pending.get(msg.id);
    if (p === undefined) return;
    this.pending.delete(msg.id);
    if (msg.type === 'error') p.reject(new Error(msg.message));
    else p.resolve(msg);
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

/** One window from several workers' (or pools') figures: counts summed, samples joined. */
export function mergeWindows(parts: readonly WindowResult[]): WindowResult {
  const closes: Record<string, number> = {};
  for (const r of parts)
    for (const [code, n] of Object.entries(r.closes)) closes[code] = (closes[code] ?? 0) + n;
  return {
    deliveries: sum(parts.map((r) => r.deliveries)),
    lost: sum(parts.map((r) => r.lost)),
    duplicated: sum(parts.map((r) => r.duplicated)),
    lastRecvMs: Math.max(0, ...parts.map((r) => r.lastRecvMs)),
    samples: concatSamples(parts.map((r) => r.samples)),
    active: sum(parts.map((r) => r.active)),
    closes,
    stray: sum(parts.map((r) => r.stray)),
    refused: sum(parts.map((r) => r.refused)),
    refusals: parts.flatMap((r) => r.refusals),
  };
}

/** Several workers' (or pools') ramps as one: from the first start to the last ready. */
export function mergeRamps(
  parts: readonly Pick<RampResult, 'ready' | 'failed' | 'errors' | 'startedMs' | 'lastReadyMs'>[],
): RampResult {
  const startedMs = Math.min(...parts.map((r) => r.startedMs));
  const lastReadyMs = Math.max(...parts.map((r) => r.lastReadyMs));
  return {
    ready: sum(parts.map((r) => r.ready)),
    failed: sum(parts.map((r) => r.failed)),
    errors: [...new Set(parts.flatMap((r) => r.errors))],
    rampMs: Math.max(0, lastReadyMs - startedMs),
    startedMs,
    lastReadyMs,
  };
}

function sum(xs: readonly number[]): number {
  let n = 0;
  for (const x of xs) n += x;
  return n;
}
