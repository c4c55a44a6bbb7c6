/**
 * `durable` (hubcast only): how many publishes per second the HTTP API acknowledges with the
 * SQLite event log (the default; acknowledged only once committed) against the memory log, on
 * a fresh target process per log and round. 64 concurrent keep-alive publishers in the
 * generator's main thread post one 100-byte event each and wait for the answer before the next
 * (publish-load.ts); no client is subscribed, so fan-out costs nothing. After the window the
 * channel's history is read back: every acknowledged publish must be in the log exactly once.
 * The goal (goals.ts) is SQLite at least half the memory log's rate, medians of the same run.
 */
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SqliteSync } from '../cli/options.js';
import { auditHistory } from '../loadgen/history-audit.js';
import { runPublishLoad } from '../loadgen/publish-load.js';
import { publishRoute } from '../loadgen/publisher.js';
import { summarizeLatency } from '../stats/summary.js';
import type { TargetSettings } from '../targets/control.js';
import { TargetProcess } from '../targets/target-process.js';
import { HISTORY_SIZE, HOST, ORG, type Collect, type RunState } from './session.js';
import { isGeneratorBound } from './window.js';

/** The hubcast configurations compared: the SQLite log per sync mode, and the memory log. */
export type DurableVariant = 'sqlite' | 'sqlite-full' | 'memory';

/** The goal's ratio: the default SQLite log over the memory log. */
export const DURABLE_NUMERATOR: DurableVariant = 'sqlite';
export const DURABLE_DENOMINATOR: DurableVariant = 'memory';

const CHANNEL = 'durable';
/** Warm-up before the window: a tenth of it, at least 100 ms, at most 2 s. */
const warmupMs = (windowMs: number): number => Math.min(2000, Math.max(100, windowMs / 10));

/** The variants a run measures, in report order: SQLite per sync mode asked for, then memory. */
export function durableVariants(syncs: readonly SqliteSync[]): DurableVariant[] {
  return [...syncs.map((s): DurableVariant => (s === 'full' ? 'sqlite-full' : 'sqlite')), 'memory'];
}

/** The order of the variants in round `round` (0-based): rotated, as the targets are. */
export function variantOrder(variants: readonly DurableVariant[], round: number): DurableVariant[] {
  const k = variants.length === 0 ? 0 : round % variants.length;
  return [...variants.slice(k), ...variants.slice(0, k)];
}

function logSettings(variant: DurableVariant): Pick<TargetSettings, 'log' | 'sqliteSync'> {
  if (variant === 'memory') return { log: 'memory' };
  return { log: 'sqlite', sqliteSync: variant === 'sqlite-full' ? 'full' : 'normal' };
}

export async function runDurableSession(
  variant: DurableVariant,
  state: RunState,
  collect: Collect,
): Promise<void> {
  const { options } = state;
  const proc = await TargetProcess.start(
    'hubcast',
    {
      host: HOST,
      jwtSecret: state.jwtSecret,
      apiKey: state.apiKey,
      historySize: HISTORY_SIZE,
      ...logSettings(variant),
    },
    options.cpuProfDir,
  );
  try {
    const windowMs = options.durableDurationSec * 1000;
    const warmup = warmupMs(windowMs);
    // CPU of both processes is read when the window opens and closes, beside the publishers.
    const at = async (ms: number): Promise<{ target: number; generator: number }> => {
      await sleep(ms);
      const { user, system } = process.cpuUsage();
      return { target: await proc.cpuMicros(), generator: user + system };
    };
    const opens = at(warmup);
    const closes = at(warmup + windowMs);
    const load = await runPublishLoad({
      host: HOST,
      port: proc.port,
      route: publishRoute('hubcast', ORG, state.apiKey),
      channel: CHANNEL,
      publishers: options.publishers,
      warmupMs: warmup,
      windowMs,
    });
    const [open, close] = await Promise.all([opens, closes]);
    const generatorCpu = (close.generator - open.generator) / 1000 / windowMs;
    const targetCpuMicros = close.target - open.target;
    const targetCpu = targetCpuMicros / 1000 / windowMs;
    const audit = await auditHistory({
      host: HOST,
      port: proc.port,
      apiKey: state.apiKey,
      org: ORG,
      channel: CHANNEL,
      acked: load.ackedSeqs,
      lastSeq: load.lastSeq,
    });
    const latency = summarizeLatency(load.latencyMs);
    const notes = load.errorTexts.map((t) => `publish failed: ${t}`);
    if (audit.lost > 0) notes.push(`${audit.lost} acknowledged publish(es) missing from the log`);
    if (audit.duplicated > 0) notes.push(`${audit.duplicated} event(s) in the log more than once`);
    collect('durable', {
      variant,
      metrics: {
        publishesPerSec: (load.acked / windowMs) * 1000,
        errors: load.errors,
        p50Ms: latency.p50,
        p99Ms: latency.p99,
        cpuPerPublishUs: load.acked > 0 ? targetCpuMicros / load.acked : Number.NaN,
        eventsInLog: audit.events,
        publishers: options.publishers,
      },
      latency,
      lost: audit.lost,
      duplicated: audit.duplicated,
      generatorCpu,
      targetCpu,
      // The publishers share the main thread: one core is all the generator can use.
      generatorBound: isGeneratorBound(generatorCpu, targetCpu, 1, cpus().length),
      ...(notes.length > 0 ? { notes } : {}),
    });
  } finally {
    await proc.stop();
  }
}
