/**
 * `redis-cost` (hubcast on the Redis engine, issue 11): what Redis itself spends per publish,
 * the inputs of a capacity model. One `redis-server`; one hubcast node, then two, then three
 * (each started and left running for the next step), every one subscribed to the broker as
 * any node is. At each step `durable`'s load (64 keep-alive publishers posting 100-byte
 * events to node 1, for `--duration` after a warm-up) runs with no WebSocket client anywhere,
 * so what is measured is the log and the broker: from `INFO` read before and after the load,
 * per acknowledged publish, the commands clients sent, every call (a script's own included,
 * by command), Redis's CPU, and its bytes in and out. The bytes one more subscribed node
 * costs per event (`brokerBytesPerNodePerEvent`) is the growth of bytes out over the step
 * with one node, per extra node. The idle nodes' CPU per event is their broker intake.
 */
import { cpus } from 'node:os';
import { runPublishLoad } from '../loadgen/publish-load.js';
import { publishRoute } from '../loadgen/publisher.js';
import { summarizeLatency } from '../stats/summary.js';
import { withRedisServer, type RedisServer } from '../targets/redis-server.js';
import { usagePerPublish } from '../targets/redis-usage.js';
import { TargetProcess } from '../targets/target-process.js';
import type { RoundFigure } from './catalog.js';
import { warmupMs } from './durable.js';
import { HOST, ORG, targetSettings, type Collect, type RunState } from './session.js';
import { REDIS_COST_NODES, nodesVariant } from './variants.js';
import { isGeneratorBound } from './window.js';

const CHANNEL = 'cost';

export async function runRedisCostSession(state: RunState, collect: Collect): Promise<void> {
  await withRedisServer(async (redis) => {
    const settings = targetSettings(state, { redisUrl: redis.url });
    const nodes: TargetProcess[] = [];
    let outPerPublishAtOne: number | undefined;
    try {
      for (const n of REDIS_COST_NODES) {
        while (nodes.length < n)
          nodes.push(await TargetProcess.start('hubcast', settings, state.options.cpuProfDir));
        const figure = await measureStep(state, redis, nodes);
        const out = figure.metrics['redisOutBytesPerPublish'] ?? Number.NaN;
        if (n === 1) outPerPublishAtOne = out;
        else if (outPerPublishAtOne !== undefined)
          figure.metrics['brokerBytesPerNodePerEvent'] = (out - outPerPublishAtOne) / (n - 1);
        collect('redis-cost', { ...figure, variant: nodesVariant(n) });
      }
    } finally {
      await Promise.all(nodes.map((n) => n.stop()));
    }
  });
}

/** `durable`'s load on `nodes[0]` with every node subscribed; Redis's work per publish. */
async function measureStep(
  state: RunState,
  redis: RedisServer,
  nodes: readonly TargetProcess[],
): Promise<RoundFigure> {
  const { options } = state;
  const [publishing, ...idle] = nodes as [TargetProcess, ...TargetProcess[]];
  const windowMs = options.durableDurationSec * 1000;
  const warmup = warmupMs(windowMs);
  // Every counter brackets the whole load, warm-up included: every acknowledged publish is in.
  const cpuOf = (procs: readonly TargetProcess[]): Promise<number[]> =>
    Promise.all(procs.map((p) => p.cpuMicros()));
  const before = { redis: await redis.usage(), nodes: await cpuOf(nodes), gen: process.cpuUsage() };
  const wallStart = performance.now();
  const load = await runPublishLoad({
    host: HOST,
    port: publishing.port,
    route: publishRoute('hubcast', ORG, state.apiKey),
    channel: CHANNEL,
    publishers: options.publishers,
    warmupMs: warmup,
    windowMs,
  });
  const wallMs = performance.now() - wallStart;
  const after = { redis: await redis.usage(), nodes: await cpuOf(nodes) };
  const gen = process.cpuUsage(before.gen);
  // Each sequence number sent was either acknowledged or counted as an error.
  const publishes = load.lastSeq - load.errors;
  const cpu = after.nodes.map((t, i) => t - (before.nodes[i] ?? 0));
  const idleCpu = cpu.slice(1);
  const generatorCpu = (gen.user + gen.system) / 1000 / wallMs;
  const targetCpu = (cpu[0] ?? 0) / 1000 / wallMs;
  const latency = summarizeLatency(load.latencyMs);
  return {
    metrics: {
      nodes: nodes.length,
      publishesPerSec: (load.acked / windowMs) * 1000,
      publishes,
      errors: load.errors,
      ...usagePerPublish(before.redis, after.redis, publishes),
      publishingNodeCpuPerPublishUs: (cpu[0] ?? 0) / publishes,
      ...(idle.length > 0
        ? {
            idleNodeCpuPerEventUs: idleCpu.reduce((s, x) => s + x, 0) / idleCpu.length / publishes,
          }
        : {}),
      p50Ms: latency.p50,
      p99Ms: latency.p99,
    },
    latency,
    lost: 0,
    duplicated: 0,
    generatorCpu,
    targetCpu,
    generatorBound: isGeneratorBound(generatorCpu, targetCpu, 1, cpus().length),
    ...(load.errorTexts.length > 0
      ? { notes: load.errorTexts.map((t) => `publish failed: ${t}`) }
      : {}),
  };
}
