/**
 * One target session: a fresh target process, N connections, then every requested scenario in
 * a fixed order on the same connections (idle memory first, the slow consumers last since they
 * spoil the connections), then teardown. A run is rounds × targets of these.
 */
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchOptions, Engine, ScenarioId } from '../cli/options.js';
import type { LoadPool } from '../loadgen/pool.js';
import type { StormSpec } from '../loadgen/worker-protocol.js';
import { ProgressBar } from '../loadgen/progress-bar.js';
import { Publisher, publishRoute } from '../loadgen/publisher.js';
import type { TargetName } from '../results.js';
import type { MeasuredReply, TargetSettings } from '../targets/control.js';
import { withRedisServer } from '../targets/redis-server.js';
import { TargetProcess } from '../targets/target-process.js';
import type { RoundFigure } from './catalog.js';
import { batchedPublishes, isolatedPublish, separatePublishes } from './fanout.js';
import { slowConsumers, steadyRate } from './steady.js';
import { REDIS_VARIANT } from './variants.js';
import { isGeneratorBound } from './window.js';

export const CHANNEL = 'w1';
/** Only the slow 1% join it: M8 floods it so they overflow in seconds, not hours. */
export const SLOW_CHANNEL = 'w1slow';
export const SLOW_EVERY = 100;
export const ORG = 'bench';
export const HOST = '127.0.0.1';
/** Quiet time after the ramp, before memory is measured and scenarios start. */
export const SETTLE_MS = 500;
/** Events kept per hubcast tenant: sized so a run never evicts. */
export const HISTORY_SIZE = 10_000_000;

/** What every session of a run shares. */
/** What every W1 connection of a round shares, in M1-M9 and in `storm` alike. */
export function w1Spec(
  target: TargetName,
  port: number,
  options: BenchOptions,
  state: RunState,
): Omit<StormSpec, 'firstIndex' | 'count' | 'backoff'> {
  return {
    target,
    host: HOST,
    port,
    maxInFlight: options.maxInFlight,
    handshakeTimeoutMs: 30_000,
    channels: [CHANNEL],
    jwtSecret: state.jwtSecret,
    org: ORG,
  };
}

export interface RunState {
  options: BenchOptions;
  pool: LoadPool;
  jwtSecret: string;
  apiKey: string;
  /** The M6/M8 publish rate, fixed by the first plain ws M3 (or --rate). */
  ratePerSec: number | undefined;
  notes: string[];
}

export interface Session {
  target: TargetName;
  state: RunState;
  pool: LoadPool;
  proc: TargetProcess;
  publisher: Publisher;
  /** Connections that became ready. */
  connections: number;
  /** The M6 p99 of this session, the baseline of M8's change. */
  steadyP99Ms?: number;
}

export type Collect = (id: ScenarioId, figure: RoundFigure) => void;

/** The same collector, with every figure marked as `variant`'s. */
export function collectAs(collect: Collect, variant: string): Collect {
  return (id, figure) => collect(id, { ...figure, variant });
}

/** What every target process of a run is started with (the peers ignore hubcast's keys). */
export function targetSettings(
  state: RunState,
  extra: Partial<TargetSettings> = {},
): TargetSettings {
  return {
    host: HOST,
    jwtSecret: state.jwtSecret,
    apiKey: state.apiKey,
    historySize: HISTORY_SIZE,
    ...extra,
  };
}

/**
 * A W1 session. Hubcast on the Redis engine runs on a `redis-server` of its own, started
 * before the target and stopped after it, and its figures are the `redis` variant's.
 */
export async function runSession(
  target: TargetName,
  state: RunState,
  collect: Collect,
  engine: Engine = 'embedded',
): Promise<void> {
  if (engine === 'embedded') return runW1(target, state, collect, targetSettings(state));
  await withRedisServer((redis) =>
    runW1(
      target,
      state,
      collectAs(collect, REDIS_VARIANT),
      targetSettings(state, { redisUrl: redis.url }),
    ),
  );
}

async function runW1(
  target: TargetName,
  state: RunState,
  collect: Collect,
  settings: TargetSettings,
): Promise<void> {
  const { options, pool } = state;
  const wants = (id: ScenarioId): boolean => options.scenarios.includes(id);
  const proc = await TargetProcess.start(target, settings, options.cpuProfDir);
  const publisher = new Publisher(HOST, proc.port, publishRoute(target, ORG, state.apiKey), 8);
  try {
    const base = await proc.measure();
    const bar = new ProgressBar(`connecting ${target}`, options.connections);
    const genStart = process.cpuUsage();
    const targetStart = await proc.cpuMicros();
    const wallStart = performance.now();
    const ramp = await pool.connect(
      options.connections,
      {
        ...w1Spec(target, proc.port, options, state),
        slowEvery: SLOW_EVERY,
        slowChannels: [SLOW_CHANNEL],
      },
      (ready, failed) => bar.update(ready, failed),
    );
    bar.done(ramp.ready, ramp.failed);
    const wallMs = Math.max(1e-3, performance.now() - wallStart);
    const gen = process.cpuUsage(genStart);
    const generatorCpu = (gen.user + gen.system) / 1000 / wallMs;
    const targetCpu = ((await proc.cpuMicros()) - targetStart) / 1000 / wallMs;
    if (wants('M9'))
      collect('M9', {
        ...rampFigure(ramp.ready, ramp.failed, ramp.rampMs, ramp.errors),
        generatorCpu,
        targetCpu,
        generatorBound: isGeneratorBound(generatorCpu, targetCpu, pool.size, cpus().length),
      });
    if (ramp.ready === 0)
      throw new Error(`no connection to ${target} succeeded: ${ramp.errors.join('; ')}`);
    const s: Session = { target, state, pool, proc, publisher, connections: ramp.ready };

    await sleep(SETTLE_MS);
    if (wants('M1')) collect('M1', idleMemory(base, await proc.measure(), ramp.ready));
    if (wants('M2')) collect('M2', await isolatedPublish(s, CHANNEL));
    if (wants('M3')) {
      const m3 = await separatePublishes(s, CHANNEL);
      collect('M3', m3);
      fixRate(state, target, m3, s.connections);
    }
    if (wants('M4')) collect('M4', await batchedPublishes(s, CHANNEL));
    if (wants('M6')) collect('M6', await steadyRate(s, CHANNEL, rateFor(state)));
    if (wants('M8')) collect('M8', await slowConsumers(s, CHANNEL, SLOW_CHANNEL, rateFor(state)));
  } finally {
    // Clients first: the target then stops with no connection to drain.
    publisher.close();
    await pool.disconnect().finally(() => proc.stop());
  }
}

function rampFigure(ready: number, failed: number, rampMs: number, errors: string[]): RoundFigure {
  return {
    metrics: {
      connections: ready,
      failed,
      connectsPerSec: rampMs > 0 ? (ready / rampMs) * 1000 : Number.NaN,
      rampMs,
    },
    lost: 0,
    duplicated: 0,
    generatorCpu: 0,
    targetCpu: 0,
    generatorBound: false,
    ...(errors.length > 0 ? { notes: errors.map((e) => `connect failed: ${e}`) } : {}),
  };
}

/** M1: what N idle subscribed connections added to the target, per connection. */
function idleMemory(base: MeasuredReply, idle: MeasuredReply, n: number): RoundFigure {
  return {
    metrics: {
      rssPerConnBytes: (idle.rssBytes - base.rssBytes) / n,
      heapPerConnBytes: (idle.heapUsedBytes - base.heapUsedBytes) / n,
      baselineRssBytes: base.rssBytes,
      rssBytes: idle.rssBytes,
    },
    lost: 0,
    duplicated: 0,
    // Idle by definition: nobody publishes while memory is measured.
    generatorCpu: 0,
    targetCpu: 0,
    generatorBound: false,
  };
}

/** M6 runs at half what the plain ws hub managed in M3, the first time it is measured. */
function fixRate(state: RunState, target: TargetName, m3: RoundFigure, n: number): void {
  if (target !== 'ws' || state.ratePerSec !== undefined) return;
  const capacity = (m3.metrics['deliveriesPerSec'] ?? Number.NaN) / n;
  if (!Number.isFinite(capacity) || capacity <= 0) return;
  const half = capacity / 2;
  state.ratePerSec = Math.max(1, Math.min(state.options.maxRatePerSec, Math.round(half)));
  state.notes.push(
    `M6/M8 rate: ${state.ratePerSec} publishes/s (plain ws M3 capacity ${capacity.toFixed(1)}/s, half ${half.toFixed(1)}/s` +
      (state.ratePerSec < Math.round(half) ? `, capped at ${state.options.maxRatePerSec})` : ')'),
  );
}

const FALLBACK_RATE_PER_SEC = 20;

/** M6's publish rate, also `cluster`'s; fixed by then, or the fallback with a note. */
export function rateFor(state: RunState): number {
  if (state.ratePerSec === undefined) {
    state.ratePerSec = FALLBACK_RATE_PER_SEC;
    state.notes.push(
      `M6/M8 rate: ${FALLBACK_RATE_PER_SEC} publishes/s (no plain ws M3 ran first to derive it; pass --rate)`,
    );
  }
  return state.ratePerSec;
}
