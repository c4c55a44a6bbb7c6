/**
 * Connections held by another generator process (pool-process.ts): one process may open at
 * most `ulimit -n` files (20,000 here), and worker threads share that limit, so a target
 * taking more connections than that (`workers`: 38,000) needs a second process. It runs a
 * LoadPool of its own and answers over IPC with the `advanced` serialization, so the window's
 * latency samples cross as a Float64Array. Its clock is the same epoch clock (`nowMs`).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { reapOnExit } from '../targets/reap-on-exit.js';
import type { ConnectionPool, PoolConnectSpec, RampResult, WindowResult } from './pool.js';

export type PoolRequest =
  | { id: number; type: 'connect'; total: number; spec: PoolConnectSpec }
  | { id: number; type: 'begin' }
  | { id: number; type: 'end'; lastSeq: number; waitMs: number }
  | { id: number; type: 'disconnect' }
  | { id: number; type: 'cpu' };

export type PoolReply =
  | { id: number; type: 'ramped'; result: RampResult }
  | { id: number; type: 'ended'; result: WindowResult }
  | { id: number; type: 'done' }
  | { id: number; type: 'cpu'; micros: number }
  | { id: number; type: 'error'; message: string }
  | { type: 'progress'; ready: number; failed: number };

/** Requests without their id: the handle numbers them. */
type Request = PoolRequest extends infer R
  ? R extends { id: number }
    ? Omit<R, 'id'>
    : never
  : never;

/** Environment variable naming the child's worker thread count. */
export const POOL_WORKERS_ENV = 'BENCH_POOL_WORKERS';

export class RemotePool implements ConnectionPool {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (r: PoolReply) => void; reject: (e: Error) => void }
  >();
  private onProgress: ((ready: number, failed: number) => void) | undefined;
  private exited = false;

  private constructor(
    readonly size: number,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (reply: PoolReply) => {
      if (reply.type === 'progress') {
        this.onProgress?.(reply.ready, reply.failed);
        return;
      }
      const p = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.type === 'error') p?.reject(new Error(reply.message));
      else p?.resolve(reply);
    });
    child.on('error', () => {}); // a failed send to a dying child shows up as its exit
    child.once('exit', (code, signal) => {
      this.exited = true;
      const err = new Error(`generator process exited (${signal ?? code})`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  /** Forks a generator process with `workers` threads. */
  static start(workers: number): RemotePool {
    const script = fileURLToPath(new URL('./pool-process.js', import.meta.url));
    const child = fork(script, [], {
      env: { ...process.env, [POOL_WORKERS_ENV]: String(workers) },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    reapOnExit(child);
    return new RemotePool(workers, child);
  }

  async connect(
    total: number,
    spec: PoolConnectSpec,
    onProgress?: (ready: number, failed: number) => void,
  ): Promise<RampResult> {
    this.onProgress = onProgress;
    try {
      const reply = await this.call({ type: 'connect', total, spec });
      if (reply.type !== 'ramped') throw new Error(`unexpected reply ${reply.type}`);
      return reply.result;
    } finally {
      this.onProgress = undefined;
    }
  }

  async begin(): Promise<void> {
    await this.call({ type: 'begin' });
  }

  async end(lastSeq: number, waitMs: number): Promise<WindowResult> {
    const reply = await this.call({ type: 'end', lastSeq, waitMs });
    if (reply.type !== 'ended') throw new Error(`unexpected reply ${reply.type}`);
    return reply.result;
  }

  async disconnect(): Promise<void> {
    await this.call({ type: 'disconnect' });
  }

  async remoteCpuMicros(): Promise<number> {
    const reply = await this.call({ type: 'cpu' });
    if (reply.type !== 'cpu') throw new Error(`unexpected reply ${reply.type}`);
    return reply.micros;
  }

  /** Ends the process (its connections go with it). */
  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    // Closing the channel is the child's signal to stop (pool-process.ts).
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  }

  private call(req: Request): Promise<PoolReply> {
    if (this.exited || !this.child.connected)
      return Promise.reject(new Error('the generator process is not running'));
    const id = this.nextId++;
    return new Promise<PoolReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ ...req, id });
    });
  }
}
