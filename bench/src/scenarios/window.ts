/**
 * A measurement window: workers start counting, the scenario publishes, and the window closes
 * once every connection has every event (or the wait runs out). The generator's CPU (all its
 * threads) and the target's are taken around it, which is what `generatorBound` is judged by.
 */
import { cpus } from 'node:os';
import type { ConnectionPool, WindowResult } from '../loadgen/pool.js';
import { nowMs } from '../loadgen/payload.js';
import type { Publisher } from '../loadgen/publisher.js';
import type { TargetProcess } from '../targets/target-process.js';

export interface Measured {
  window: WindowResult;
  wallMs: number;
  /** Cores busy on average (1 = one core). */
  generatorCpu: number;
  targetCpu: number;
  targetCpuMicros: number;
  generatorBound: boolean;
}

/** How long to wait for stragglers: generous, scaled by the deliveries expected. */
export function waitBudgetMs(deliveries: number): number {
  return 10_000 + deliveries / 20;
}

/** What a window needs of a session; `rooms` has no HTTP publisher, and says its last seq. */
export interface WindowHost {
  /** The target whose CPU the window reads. */
  proc: Pick<TargetProcess, 'cpuMicros'>;
  pool: Pick<ConnectionPool, 'begin' | 'end' | 'size' | 'remoteCpuMicros'>;
  publisher?: Publisher;
}

/**
 * Runs `work` inside a window that closes once every connection has every event up to
 * `lastSeq()` (by default the HTTP publisher's last sequence number).
 */
export async function measureWindow(
  s: WindowHost,
  work: () => Promise<void>,
  expectedDeliveries: number,
  lastSeq: () => number = () => s.publisher?.lastSeq ?? 0,
): Promise<Measured> {
  // The generator: this process's threads, and other generator processes (`workers`).
  const genStart = process.cpuUsage();
  const remoteStart = await s.pool.remoteCpuMicros();
  const targetStart = await s.proc.cpuMicros();
  const wallStart = nowMs();
  await s.pool.begin();
  try {
    await work();
  } catch (err) {
    await s.pool.end(lastSeq(), 0); // close the workers' window before failing
    throw err;
  }
  const window = await s.pool.end(lastSeq(), waitBudgetMs(expectedDeliveries));
  const wallMs = Math.max(1e-3, nowMs() - wallStart);
  const gen = process.cpuUsage(genStart);
  const remoteMicros = (await s.pool.remoteCpuMicros()) - remoteStart;
  const targetCpuMicros = (await s.proc.cpuMicros()) - targetStart;
  const generatorCpu = (gen.user + gen.system + remoteMicros) / 1000 / wallMs;
  const targetCpu = targetCpuMicros / 1000 / wallMs;
  return {
    window,
    wallMs,
    generatorCpu,
    targetCpu,
    targetCpuMicros,
    generatorBound: isGeneratorBound(generatorCpu, targetCpu, s.pool.size, cpus().length),
  };
}

/**
 * The generator, not the target, limited the figure when the target was below 90% of its one
 * core and either the generator used ~90% of the cores its workers could get (no more than
 * the cores the target left free), or the two together kept the machine 85% busy: on a small
 * machine they compete for the same cores, and a target short of its core was then waiting
 * for the generator's share (issue 3's M4 read 1.13 + 0.63 of 2 cores before the generator
 * got cheaper, and the figure was the generator's).
 */
export function isGeneratorBound(
  generatorCpu: number,
  targetCpu: number,
  workers: number,
  cores: number,
): boolean {
  if (targetCpu >= 0.9) return false;
  const usable = Math.max(0.5, Math.min(workers, cores - Math.min(1, targetCpu)));
  return generatorCpu >= 0.9 * usable || generatorCpu + targetCpu >= 0.85 * cores;
}
