/**
 * `durable` (hubcast only): how many publishes per second the HTTP API acknowledges with the
 * SQLite event log (the default; acknowledged only once committed) against the memory log and,
 * with `--engines redis`, the Redis engine's log (acknowledged once the append script ran, and
 * its AOF write fsynced: redis-server.ts), on a fresh target process (and `redis-server`) per
 * log and round. 64 concurrent keep-alive publishers in the generator's main thread post one
 * 100-byte event each and wait for the answer before the next (publish-load.ts); no client is
 * subscribed, so fan-out costs nothing. After the window the channel's history is read back:
 * every acknowledged publish must be in the log exactly once. The goals (goals.ts): SQLite at
 * least half the memory log's rate, Redis at least half SQLite's, medians of the same run.
 */
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { auditHistory } from '../loadgen/history-audit.js';
import { runPublishLoad } from '../loadgen/publish-load.js';
import { publishRoute } from '../loadgen/publisher.js';
import { summarizeLatency } from '../stats/summary.js';
import type { TargetSettings } from '../targets/control.js';
import { withRedisServer } from '../targets/redis-server.js';
import { TargetProcess } from '../targets/target-process.js';
import { HOST, ORG, targetSettings, type Collect, type RunState } from './session.js';
import type { DurableVariant } from './variants.js';
import { isGeneratorBound } from './window.js';

const CHANNEL = 'durable';
/** Warm-up before the window: a tenth of it, at least 100 ms, at most 2 s. */
export const warmupMs = (windowMs: number): number => Math.min(2000, Math.max(100, windowMs / 10));

function logSettings(
  variant: Exclude<DurableVariant, 'redis'>,
): Pick<TargetSettings, 'log' | 'sqliteSync'> {
  if (variant === 'memory') return { log: 'memory' };
  return { log: 'sqlite', sqliteSync: variant === 'sqlite-full' ? 'full' : 'normal' };
}

export async function runDurableSession(
  variant: DurableVariant,
  state: RunState,
  collect: Collect,
): Promise<void> {
  if (variant !== 'redis')
    return measureDurable(variant, state, collect, targetSettings(state, logSettings(variant)));
  await withRedisServer((redis) =>
    measureDurable(variant, state, collect, targetSettings(state, { redisUrl: redis.url })),
  );
}

async function measureDurable(
  variant: DurableVariant,
  state: RunState,
  collect: Collect,
  settings: TargetSettings,
): Promise<void> {
  const { options } = state;
  const proc = await TargetProcess.start('hubcast', settings, options.cpuProfDir);
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
