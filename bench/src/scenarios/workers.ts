/**
 * `workers` (issue 11): the real `hubcast serve --workers N --engine redis` (hubcast-serve.ts:
 * Node cluster, the port shared, the store in memory) holding `--workers-connections` W1
 * connections, 38,000 by default. A process may open 20,000 files here (`ulimit -n`, hard
 * limit too) and a generator's worker threads share its limit, so the connections are spread
 * over generator processes of at most 19,900 each, always at least two (this one and
 * remote-pool.ts children), each from its own 127.0.0.x source address: towards one target
 * port an address has only the ephemeral port range (28,232 here). Then one publish, as M2:
 * its time to the last of all the connections, 5 times. Figures: connections held, the RSS of
 * each worker after GC and what the connections added to it, each worker's open files (its
 * share of the connections), and the publish's delivery time.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { MAX_CONNECTIONS } from '../cli/options.js';
import { PoolGroup, type GroupMember } from '../loadgen/pool-group.js';
import { ProgressBar } from '../loadgen/progress-bar.js';
import { Publisher, publishRoute } from '../loadgen/publisher.js';
import { RemotePool } from '../loadgen/remote-pool.js';
import type { MeasuredReply, ProcessFigures } from '../targets/control.js';
import { withRedisServer } from '../targets/redis-server.js';
import { TargetProcess } from '../targets/target-process.js';
import type { RoundFigure } from './catalog.js';
import { isolatedPublish } from './fanout.js';
import {
  CHANNEL,
  HOST,
  ORG,
  SETTLE_MS,
  targetSettings,
  w1Spec,
  type Collect,
  type RunState,
} from './session.js';

export async function runWorkersSession(state: RunState, collect: Collect): Promise<void> {
  const { options } = state;
  const total = options.workersConnections;
  const processes = Math.max(2, Math.ceil(total / MAX_CONNECTIONS));
  await withRedisServer(async (redis) => {
    const settings = targetSettings(state, {
      redisUrl: redis.url,
      serveWorkers: options.serveWorkers,
    });
    const proc = await TargetProcess.start('hubcast', settings, options.cpuProfDir);
    const remotes = Array.from({ length: processes - 1 }, () => RemotePool.start(options.workers));
    const members: GroupMember[] = [
      { pool: state.pool },
      ...remotes.map((pool, i) => ({ pool, localAddress: `127.0.0.${i + 2}` })),
    ];
    const group = new PoolGroup(members);
    const publisher = new Publisher(HOST, proc.port, publishRoute('hubcast', ORG, state.apiKey), 8);
    try {
      const base = await proc.measure();
      const bar = new ProgressBar(
        `connecting hubcast serve --workers ${options.serveWorkers}`,
        total,
      );
      const ramp = await group.connect(
        total,
        { ...w1Spec('hubcast', proc.port, options, state), slowEvery: 0, slowChannels: [] },
        (ready, failed) => bar.update(ready, failed),
      );
      bar.done(ramp.ready, ramp.failed);
      if (ramp.ready === 0)
        throw new Error(`no connection to hubcast serve succeeded: ${ramp.errors.join('; ')}`);
      await sleep(SETTLE_MS);
      const idle = await proc.measure();
      const publish = await isolatedPublish(
        { state, pool: group, proc, publisher, connections: ramp.ready },
        CHANNEL,
      );
      const notes = [
        ...ramp.errors.map((e) => `connect failed: ${e}`),
        `${processes} generator processes, ${group.size} threads`,
        ...(publish.notes ?? []),
      ];
      collect('workers', {
        ...publish,
        metrics: {
          connections: ramp.ready,
          failed: ramp.failed,
          connectsPerSec: ramp.rampMs > 0 ? (ramp.ready / ramp.rampMs) * 1000 : Number.NaN,
          ...publish.metrics,
          ...perWorker(base, idle, ramp.ready),
        },
        notes,
      } satisfies RoundFigure);
    } finally {
      publisher.close();
      await group.disconnect().catch(() => undefined);
      await Promise.all(remotes.map((r) => r.close()));
      await proc.stop();
    }
  });
}

/**
 * Each worker's RSS after GC, what the connections added to it, and its open files past its
 * idle count (one per connection it took), by pid order; plus the totals.
 */
function perWorker(
  base: MeasuredReply,
  idle: MeasuredReply,
  connections: number,
): Record<string, number> {
  const byPid = (list: readonly ProcessFigures[] = []): ProcessFigures[] =>
    [...list].sort((a, b) => a.pid - b.pid);
  const before = byPid(base.processes);
  const metrics: Record<string, number> = {
    rssBytes: idle.rssBytes,
    rssPerConnBytes: (idle.rssBytes - base.rssBytes) / connections,
  };
  byPid(idle.processes).forEach((w, i) => {
    const was = before.find((b) => b.pid === w.pid);
    metrics[`worker${i + 1}RssBytes`] = w.rssBytes;
    if (was === undefined) return; // a worker restarted since: no baseline to subtract
    metrics[`worker${i + 1}RssGrowthBytes`] = w.rssBytes - was.rssBytes;
    if (w.openFiles !== undefined && was.openFiles !== undefined)
      metrics[`worker${i + 1}Connections`] = w.openFiles - was.openFiles;
  });
  return metrics;
}
