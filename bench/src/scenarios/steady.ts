/**
 * M6, a fixed publish rate for a while, and M8, the same with 1% of the clients no longer
 * reading. For M8 the slow clients also joined a second channel at connect time; it gets a
 * flood of large events so their buffers overflow within seconds on every target (10,000
 * connections × 16 MB of ordinary events would take hours): hubcast must close them with
 * 4001, the peers keep buffering, and the others' latency and the target's memory show it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { fillerData } from '../loadgen/payload.js';
import { summarizeLatency } from '../stats/summary.js';
import type { RoundFigure } from './catalog.js';
import { closeNotes } from './fanout.js';
import type { PublishHost } from './fanout.js';
import type { Session } from './session.js';
import { measureWindow } from './window.js';

/** Bytes the flood pushes at each slow connection: past hubcast's 4 MB queue bound plus the
 * kernel's socket buffers (4 MB send, a few MB receive on loopback). */
const FLOOD_BYTES = 16 * 1024 * 1024;
/** Flood event size; two per request stay under hubcast's 64 KB body limit. */
const FLOOD_EVENT_BYTES = 24 * 1024;
const M8_MAX_SEC = 10;

/** Publishes one event at a time at `ratePerSec` for `durationMs`; returns how many. */
export async function publishAtRate(
  publish: () => Promise<void>,
  ratePerSec: number,
  durationMs: number,
): Promise<number> {
  const total = Math.max(1, Math.round((ratePerSec * durationMs) / 1000));
  const start = performance.now();
  let failure: unknown;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  for (let i = 0; i < total && failure === undefined; i++) {
    const wait = start + (i * 1000) / ratePerSec - performance.now();
    if (wait >= 1) await sleep(wait);
    inFlight++;
    publish().then(
      () => {
        if (--inFlight === 0) drained?.();
      },
      (err: unknown) => {
        failure ??= err;
        if (--inFlight === 0) drained?.();
      },
    );
  }
  if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
  if (failure !== undefined) throw failure;
  return total;
}

/** M6: p99 and p99.9 at a fixed rate; every event must arrive exactly once. */
export async function steadyRate(
  s: PublishHost & Partial<Pick<Session, 'steadyP99Ms'>>,
  channel: string,
  ratePerSec: number,
): Promise<RoundFigure> {
  const durationMs = s.state.options.durationSec * 1000;
  let published = 0;
  const m = await measureWindow(
    s,
    async () => {
      published = await publishAtRate(
        () => s.publisher.publishOne(channel),
        ratePerSec,
        durationMs,
      );
    },
    ratePerSec * s.state.options.durationSec * s.connections,
  );
  const latency = summarizeLatency(m.window.samples);
  s.steadyP99Ms = latency.p99;
  const notes = closeNotes([m]);
  return {
    metrics: {
      publishRatePerSec: ratePerSec,
      published,
      deliveriesPerSec: (m.window.deliveries / m.wallMs) * 1000,
      p1Ms: latency.p1,
      p50Ms: latency.p50,
      p99Ms: latency.p99,
      p999Ms: latency.p999,
      maxMs: latency.max,
    },
    ...windowFigures(m, latency, notes),
  };
}

/** M8: the slow 1% stop reading while the rest get the M6 stream. */
export async function slowConsumers(
  s: Session,
  channel: string,
  slowChannel: string,
  ratePerSec: number,
): Promise<RoundFigure> {
  const durationSec = Math.min(s.state.options.durationSec, M8_MAX_SEC);
  const before = await s.proc.measure();
  const paused = await s.pool.pauseSlow();
  const flood = [fillerData(FLOOD_EVENT_BYTES), fillerData(FLOOD_EVENT_BYTES)];
  const floodRequests = paused === 0 ? 0 : Math.ceil(FLOOD_BYTES / (2 * FLOOD_EVENT_BYTES));
  const m = await measureWindow(
    s,
    async () => {
      const steady = publishAtRate(
        () => s.publisher.publishOne(channel),
        ratePerSec,
        durationSec * 1000,
      );
      // One request at a time: the flood is heavy for the target but never starves the stream.
      for (let i = 0; i < floodRequests; i++) await s.publisher.publishRaw(slowChannel, flood);
      await steady;
    },
    ratePerSec * durationSec * s.connections,
  );
  const after = await s.proc.measure();
  const latency = summarizeLatency(m.window.samples);
  const notes = closeNotes([m]);
  const base = s.steadyP99Ms;
  return {
    metrics: {
      slowConnections: paused,
      slowClosed: after.slowClosed - before.slowClosed,
      p99Ms: latency.p99,
      p999Ms: latency.p999,
      ...(base !== undefined && base > 0 ? { p99ChangePct: (latency.p99 / base - 1) * 100 } : {}),
      rssBytes: after.rssBytes,
      rssGrowthBytes: after.rssBytes - before.rssBytes,
      heapGrowthBytes: after.heapUsedBytes - before.heapUsedBytes,
      // Live buffers; RSS minus heap minus these is memory the allocator kept after freeing.
      buffersGrowthBytes: after.arrayBuffersBytes - before.arrayBuffersBytes,
      floodBytesPerSlowConn: floodRequests * 2 * FLOOD_EVENT_BYTES,
    },
    ...windowFigures(m, latency, notes),
  };
}

/** What every measured window reports after its scenario's own metrics. */
function windowFigures(
  m: Awaited<ReturnType<typeof measureWindow>>,
  latency: ReturnType<typeof summarizeLatency>,
  notes: string[],
): Pick<
  RoundFigure,
  'latency' | 'lost' | 'duplicated' | 'generatorCpu' | 'targetCpu' | 'generatorBound' | 'notes'
> {
  return {
    latency,
    lost: m.window.lost,
    duplicated: m.window.duplicated,
    generatorCpu: m.generatorCpu,
    targetCpu: m.targetCpu,
    generatorBound: m.generatorBound,
    ...(notes.length > 0 ? { notes } : {}),
  };
}
