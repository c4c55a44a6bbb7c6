import { describe, expect, it } from 'vitest';
import { PoolGroup } from './pool-group.js';
import type { ConnectionPool, PoolConnectSpec, RampResult, WindowResult } from './pool.js';

/** A pool that records what it was asked and answers canned figures. */
function fakePool(size: number, ramp: Partial<RampResult>, window: Partial<WindowResult>) {
  const asked: { total: number; spec: PoolConnectSpec }[] = [];
  const pool: ConnectionPool = {
    size,
    connect(total, spec, onProgress) {
      asked.push({ total, spec });
      onProgress?.(total, 0);
      return Promise.resolve({
        ready: total,
        failed: 0,
        errors: [],
        rampMs: 0,
        startedMs: 0,
        lastReadyMs: 0,
        ...ramp,
      });
    },
    begin: () => Promise.resolve(),
    end: () =>
      Promise.resolve({
        deliveries: 0,
        lost: 0,
        duplicated: 0,
        lastRecvMs: 0,
        samples: new Float64Array(),
        active: 0,
        closes: {},
        stray: 0,
        refused: 0,
        refusals: [],
        ...window,
      }),
    disconnect: () => Promise.resolve(),
    remoteCpuMicros: () => Promise.resolve(size * 1000),
  };
  return { pool, asked };
}

const SPEC: PoolConnectSpec = {
  target: 'hubcast',
  host: '127.0.0.1',
  port: 9,
  maxInFlight: 256,
  handshakeTimeoutMs: 1000,
  channels: ['w1'],
  slowEvery: 0,
  slowChannels: [],
};

describe('PoolGroup', () => {
  it('splits a ramp evenly, each pool with its own users and source address', async () => {
    const a = fakePool(2, { startedMs: 100, lastReadyMs: 900, errors: ['x'] }, {});
    const b = fakePool(2, { startedMs: 120, lastReadyMs: 1100, failed: 1, errors: ['x', 'y'] }, {});
    const group = new PoolGroup([{ pool: a.pool }, { pool: b.pool, localAddress: '127.0.0.2' }]);
    const progress: number[] = [];
    const ramp = await group.connect(38_001, SPEC, (ready) => progress.push(ready));
    expect(a.asked).toEqual([
      { total: 19_001, spec: { ...SPEC, firstIndex: 0, maxInFlight: 128 } },
    ]);
    expect(b.asked).toEqual([
      {
        total: 19_000,
        spec: {
          ...SPEC,
          firstIndex: 19_001,
          maxInFlight: 128,
          localAddress: '127.0.0.2',
          localPortFrom: 12_000,
        },
      },
    ]);
    expect(progress).toEqual([19_001, 38_001]); // summed over the pools
    expect(ramp).toEqual({
      ready: 38_001,
      failed: 1,
      errors: ['x', 'y'],
      rampMs: 1000,
      startedMs: 100,
      lastReadyMs: 1100,
    });
    expect(group.size).toBe(4);
    expect(await group.remoteCpuMicros()).toBe(4000); // summed over the pools
  });

  it('merges windows: counts summed, the last delivery, samples joined', async () => {
    const a = fakePool(
      1,
      {},
      {
        deliveries: 3,
        lastRecvMs: 50,
        samples: Float64Array.from([1, 2, 3]),
        closes: { '4001': 1 },
      },
    );
    const b = fakePool(
      1,
      {},
      {
        deliveries: 2,
        lost: 1,
        lastRecvMs: 70,
        samples: Float64Array.from([4, 5]),
        closes: { '4001': 2 },
      },
    );
    const w = await new PoolGroup([{ pool: a.pool }, { pool: b.pool }]).end(5, 1000);
    expect({ ...w, samples: [...w.samples].sort() }).toMatchObject({
      deliveries: 5,
      lost: 1,
      lastRecvMs: 70,
      samples: [1, 2, 3, 4, 5],
      closes: { '4001': 3 },
    });
  });
});
