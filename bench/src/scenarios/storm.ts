/**
 * `storm`: N clients subscribed to one channel while a publisher posts numbered events at a
 * steady rate through the target's HTTP trigger, each tried again until accepted (hubcast:
 * with the same idempotency key). After a few seconds the target is restarted as a deploy does
 * it (SIGTERM: hubcast pushes `reconnect` with a jittered `delay_ms`, then closes with 4000),
 * or killed (`--storm-kill`), and a new process starts on the same port (hubcast: on the same
 * data directory, so its SQLite log and every cursor survive). The clients come back on their
 * own (storm-client.ts): hubcast's with the cursor of the last event they processed, expecting
 * `resumed: true`; the peers' just join again. Once every client is live, a few more seconds
 * of events, then the books close.
 *
 * Figures: the time from the signal until the last client is live again (the headline), each
 * client's own outage (p50/p99), events lost and repeated per client over the whole run,
 * refused resumes (resets), clients that never came back, and the generator's CPU. Hubcast must
 * lose and repeat nothing; the peers lose what was published while their clients were away.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { nowMs } from '../loadgen/payload.js';
import type { StormBooks, StormRecovery } from '../loadgen/pool.js';
import { ProgressBar } from '../loadgen/progress-bar.js';
import { publishRoute } from '../loadgen/publisher.js';
import { SDK_BACKOFF, type Backoff } from '../loadgen/reconnect-delay.js';
import { RetryingPublisher, type PublisherFigures } from '../loadgen/retrying-publisher.js';
import type { TargetName } from '../results.js';
import { summarizeLatency } from '../stats/summary.js';
import { TargetProcess } from '../targets/target-process.js';
import type { RoundFigure } from './catalog.js';
import {
  CHANNEL,
  HISTORY_SIZE,
  HOST,
  ORG,
  w1Spec,
  type Collect,
  type RunState,
} from './session.js';
import { isGeneratorBound, waitBudgetMs } from './window.js';

/** Steady state before the restart, and events after every client is back. */
const STEADY_MS = 5000;
const AFTER_MS = 3000;
const SMOKE_STEADY_MS = 200;
const SMOKE_AFTER_MS = 200;
/** Clients not back by then count as failed reconnects. */
const RECOVERY_WAIT_MS = 60_000;
/** A smoke run's clients need not wait the SDK's 500 ms floor (hubcast's wait 1 s anyway). */
const SMOKE_BACKOFF: Backoff = { minMs: 50, maxMs: 250 };
/** Publishes in flight at once: enough to drain the restart's backlog quickly. */
const PUBLISHES_IN_FLIGHT = 8;

export async function runStormSession(
  target: TargetName,
  state: RunState,
  collect: Collect,
): Promise<void> {
  const { options, pool } = state;
  // The parent owns hubcast's data directory, so the restarted process opens the same log.
  const dataDir = target === 'hubcast' ? mkdtempSync(join(tmpdir(), 'hubcast-storm-')) : undefined;
  let proc = await TargetProcess.start(
    target,
    {
      host: HOST,
      jwtSecret: state.jwtSecret,
      apiKey: state.apiKey,
      historySize: HISTORY_SIZE,
      ...(dataDir === undefined ? {} : { dataDir }),
    },
    options.cpuProfDir,
  );
  const publisher = new RetryingPublisher({
    host: HOST,
    port: proc.port,
    route: publishRoute(target, ORG, state.apiKey),
    channel: CHANNEL,
    ratePerSec: options.stormRatePerSec,
    maxInFlight: PUBLISHES_IN_FLIGHT,
    keyPrefix: `storm-${randomBytes(4).toString('hex')}-`,
  });
  try {
    const bar = new ProgressBar(`connecting ${target}`, options.connections);
    const ramp = await pool.stormConnect(
      options.connections,
      {
        ...w1Spec(target, proc.port, options, state),
        backoff: options.smoke ? SMOKE_BACKOFF : SDK_BACKOFF,
      },
      (ready, failed) => bar.update(ready, failed),
    );
    bar.done(ramp.ready, ramp.failed);
    if (ramp.ready === 0)
      throw new Error(`no connection to ${target} succeeded: ${ramp.errors.join('; ')}`);

    const genStart = process.cpuUsage();
    const wallStartMs = nowMs();
    const oldCpuStart = await proc.cpuMicros();
    publisher.start();
    await sleep(options.smoke ? SMOKE_STEADY_MS : STEADY_MS);
    const oldCpuMicros = (await proc.cpuMicros()) - oldCpuStart;

    // Wait for the clients from before the signal, so none is back unseen.
    const back = new ProgressBar(`reconnecting ${target}`, ramp.ready);
    const recovering = pool.stormRecovery(RECOVERY_WAIT_MS, (n) => back.update(n, 0));
    const signalAtMs = nowMs();
    const restarted = await proc.restart(options.stormSignal);
    proc = restarted.next;
    const listeningAtMs = nowMs();
    const recovery = await recovering;
    back.done(recovery.back, recovery.clients - recovery.back);

    const fromSeq = publisher.lastSeq + 1;
    await sleep(options.smoke ? SMOKE_AFTER_MS : AFTER_MS);
    await publisher.stop();
    const lastSeq = publisher.lastSeq;
    const books = await pool.stormEnd(
      fromSeq,
      lastSeq,
      waitBudgetMs((lastSeq - fromSeq + 1) * recovery.clients),
    );
    const wallMs = Math.max(1e-3, nowMs() - wallStartMs);
    const gen = process.cpuUsage(genStart);
    // The old process until the signal plus the new one's whole life: the drain after the
    // signal is not seen (the process is gone before it could be asked).
    const targetCpuMicros = oldCpuMicros + (await proc.cpuMicros());
    const generatorCpu = (gen.user + gen.system) / 1000 / wallMs;
    const targetCpu = targetCpuMicros / 1000 / wallMs;
    const figure = stormFigure(recovery, books, publisher.stats, {
      signalAtMs,
      exitedAtMs: restarted.exitedAtMs,
      listeningAtMs,
    });
    figure.metrics = { connections: ramp.ready, failed: ramp.failed, ...figure.metrics };
    collect('storm', {
      ...figure,
      generatorCpu,
      targetCpu,
      generatorBound: isGeneratorBound(generatorCpu, targetCpu, pool.size, cpus().length),
    });
  } finally {
    publisher.close();
    await pool.disconnect().finally(() => proc.stop());
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The round's figure from what the clients, their books and the publisher saw. Pure. */
export function stormFigure(
  recovery: StormRecovery,
  books: StormBooks,
  published: PublisherFigures,
  times: { signalAtMs: number; exitedAtMs: number; listeningAtMs: number },
): Omit<RoundFigure, 'generatorCpu' | 'targetCpu' | 'generatorBound'> {
  const reconnect = summarizeLatency(recovery.reconnectMs);
  const allBack = recovery.back === recovery.clients;
  const notes: string[] = [];
  for (const [code, n] of Object.entries(recovery.closes))
    notes.push(`${n} connection(s) closed with ${code}`);
  if (recovery.failures.length > 0)
    notes.push(`failed attempts, e.g. ${recovery.failures.slice(0, 3).join(' | ')}`);
  if (!allBack)
    notes.push(`${recovery.clients - recovery.back} client(s) not live again within the wait`);
  if (published.rejected > 0)
    notes.push(`${published.rejected} publish(es) refused: ${published.rejections.join(' | ')}`);
  return {
    metrics: {
      recoveryMs: allBack ? recovery.lastLiveMs - times.signalAtMs : Number.NaN,
      drainMs: times.exitedAtMs - times.signalAtMs,
      downMs: times.listeningAtMs - times.signalAtMs,
      reconnectP50Ms: reconnect.p50,
      reconnectP99Ms: reconnect.p99,
      reconnectMaxMs: reconnect.max,
      failedReconnects: recovery.clients - recovery.back,
      resets: recovery.resets,
      refusedAttempts: recovery.failedAttempts,
      extraDrops: Math.max(0, recovery.drops - recovery.clients),
      published: published.published,
      publishRetries: published.retries,
      duplicateAcks: published.duplicateAcks,
      rejected: published.rejected,
      deliveries: books.deliveries,
      lostPerClient: books.clients > 0 ? books.lost / books.clients : 0,
      clientsWithLoss: books.clientsWithLoss,
      maxLostPerClient: books.maxLostPerClient,
      clientsWithDuplicates: books.clientsWithDuplicates,
    },
    lost: books.lost,
    duplicated: books.duplicated,
    ...(notes.length > 0 ? { notes } : {}),
  };
}
