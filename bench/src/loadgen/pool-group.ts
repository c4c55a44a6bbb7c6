/**
 * Several connection pools as one (`workers`: this process's and other generator processes'):
 * a ramp is split evenly over them, each from its own source address and with its own range of
 * user indexes, and a window's figures are merged as one pool merges its threads'.
 */
import {
  mergeRamps,
  mergeWindows,
  type ConnectionPool,
  type PoolConnectSpec,
  type RampResult,
  type WindowResult,
} from './pool.js';

export interface GroupMember {
  pool: ConnectionPool;
  /**
   * Where its sockets connect from (`ConnectSpec.localAddress`), on ports counting up from
   * `LOCAL_PORT_FROM`; default: the kernel's choice of both.
   */
  localAddress?: string;
}

/**
 * A member's first source port: below Linux's ephemeral range (32768-60999), where `listen(0)`
 * never puts a server, so a bind to 127.0.0.x on these ports meets no listener. A member holds
 * at most 19,900 connections (options.ts), so its ports end below 32,000.
 */
export const LOCAL_PORT_FROM = 12_000;

export class PoolGroup implements ConnectionPool {
  constructor(private readonly members: readonly GroupMember[]) {}

  get size(): number {
    return this.members.reduce((n, m) => n + m.pool.size, 0);
  }

  async connect(
    total: number,
    spec: PoolConnectSpec,
    onProgress?: (ready: number, failed: number) => void,
  ): Promise<RampResult> {
    const per = Math.ceil(total / this.members.length);
    const progress = this.members.map(() => ({ ready: 0, failed: 0 }));
    const ramps = await Promise.all(
      this.members.map((m, i) => {
        const first = i * per;
        const count = Math.max(0, Math.min(per, total - first));
        return m.pool.connect(
          count,
          {
            ...spec,
            firstIndex: (spec.firstIndex ?? 0) + first,
            maxInFlight: Math.max(1, Math.ceil(spec.maxInFlight / this.members.length)),
            ...(m.localAddress === undefined
              ? {}
              : { localAddress: m.localAddress, localPortFrom: LOCAL_PORT_FROM }),
          },
          (ready, failed) => {
            progress[i] = { ready, failed };
            onProgress?.(
              progress.reduce((n, p) => n + p.ready, 0),
              progress.reduce((n, p) => n + p.failed, 0),
            );
          },
        );
      }),
    );
    return mergeRamps(ramps);
  }

  async begin(): Promise<void> {
    await Promise.all(this.members.map((m) => m.pool.begin()));
  }

  async end(lastSeq: number, waitMs: number): Promise<WindowResult> {
    return mergeWindows(await Promise.all(this.members.map((m) => m.pool.end(lastSeq, waitMs))));
  }

  async disconnect(): Promise<void> {
    await Promise.all(this.members.map((m) => m.pool.disconnect()));
  }

  async remoteCpuMicros(): Promise<number> {
    const each = await Promise.all(this.members.map((m) => m.pool.remoteCpuMicros()));
    return each.reduce((n, x) => n + x, 0);
  }
}
