/**
 * M2, M3, M4: how fast one publish, 20 separate publishes and 20 publishes in one request reach
 * every connection. Each is repeated a few times inside the round, and the round keeps the
 * median repetition, so one GC pause does not make a round's figure.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { LatencySummary } from '../results.js';
import { nowMs } from '../loadgen/payload.js';
import { median, medianIndex, summarizeLatency } from '../stats/summary.js';
import type { RoundFigure } from './catalog.js';
import type { Session } from './session.js';
import { measureWindow, type Measured, type WindowHost } from './window.js';

/** What M2 needs of a session: one HTTP publisher and the connections' pool, on any target. */
export type PublishHost = WindowHost & Pick<Session, 'state' | 'connections' | 'publisher'>;

const BURST = 20;
/** Quiet time between repetitions, so each starts from an idle target. */
const GAP_MS = 200;

interface Rep {
  metrics: Record<string, number>;
  latency: LatencySummary;
  measured: Measured;
}

/** M2: one publish, alone; the time until its last delivery, and the p99 of all N. */
export async function isolatedPublish(s: PublishHost, channel: string): Promise<RoundFigure> {
  const reps: Rep[] = [];
  for (let i = 0; i < (s.state.options.smoke ? 3 : 5); i++) {
    let sentMs = 0;
    const measured = await measureWindow(
      s,
      () => {
        sentMs = nowMs();
        return s.publisher.publishOne(channel);
      },
      s.connections,
    );
    const w = measured.window;
    const latency = summarizeLatency(w.samples);
    reps.push({
      metrics: {
        timeToLastMs: w.deliveries > 0 ? w.lastRecvMs - sentMs : Number.NaN,
        p50Ms: latency.p50,
        p99Ms: latency.p99,
      },
      latency,
      measured,
    });
    await sleep(GAP_MS);
  }
  return combine(reps, 'timeToLastMs');
}

/** M3: 20 publishes fired at once, one request each (several keep-alive connections). */
export function separatePublishes(s: Session, channel: string): Promise<RoundFigure> {
  return burst(s, () => {
    const posts: Promise<void>[] = [];
    for (let i = 0; i < BURST; i++) posts.push(s.publisher.publishOne(channel));
    return Promise.all(posts).then(() => undefined);
  });
}

/** M4: 20 publishes in one request, which a target may treat as one flush window. */
export function batchedPublishes(s: Session, channel: string): Promise<RoundFigure> {
  return burst(s, () => s.publisher.publishBatch(channel, BURST));
}

async function burst(s: Session, publish: () => Promise<void>): Promise<RoundFigure> {
  const reps: Rep[] = [];
  for (let i = 0; i < 3; i++) {
    let startMs = 0;
    const measured = await measureWindow(
      s,
      () => {
        startMs = nowMs();
        return publish();
      },
      BURST * s.connections,
    );
    const w = measured.window;
    const spanMs = w.lastRecvMs - startMs;
    reps.push({
      metrics: {
        deliveriesPerSec:
          w.deliveries > 0 && spanMs > 0 ? (w.deliveries / spanMs) * 1000 : Number.NaN,
        timeToLastMs: w.deliveries > 0 ? spanMs : Number.NaN,
        cpuPerDeliveryUs: w.deliveries > 0 ? measured.targetCpuMicros / w.deliveries : Number.NaN,
      },
      latency: summarizeLatency(w.samples),
      measured,
    });
    await sleep(GAP_MS);
  }
  return combine(reps, 'deliveriesPerSec');
}

/** A round's figure from its repetitions: medians, the median repetition's latency. */
export function combine(reps: readonly Rep[], headline: string): RoundFigure {
  const keys = Object.keys(reps[0]?.metrics ?? {});
  const metrics: Record<string, number> = {};
  for (const k of keys) metrics[k] = median(reps.map((r) => r.metrics[k] ?? Number.NaN));
  const mid = reps[medianIndex(reps.map((r) => r.metrics[headline] ?? Number.NaN))];
  const notes = closeNotes(reps.map((r) => r.measured));
  return {
    metrics,
    ...(mid === undefined ? {} : { latency: mid.latency }),
    lost: reps.reduce((n, r) => n + r.measured.window.lost, 0),
    duplicated: reps.reduce((n, r) => n + r.measured.window.duplicated, 0),
    generatorCpu: median(reps.map((r) => r.measured.generatorCpu)),
    targetCpu: median(reps.map((r) => r.measured.targetCpu)),
    generatorBound: reps.some((r) => r.measured.generatorBound),
    ...(notes.length > 0 ? { notes } : {}),
  };
}

/** Connections the target closed during the windows, by close code (none is expected). */
export function closeNotes(measured: readonly Measured[]): string[] {
  const total: Record<string, number> = {};
  for (const m of measured)
    for (const [code, n] of Object.entries(m.window.closes)) total[code] = (total[code] ?? 0) + n;
  return Object.entries(total).map(([code, n]) => `${n} connection(s) closed with ${code}`);
}
