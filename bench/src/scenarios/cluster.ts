/**
 * `cluster` (hubcast on the Redis engine, issue 11): what a hop between nodes adds to a
 * delivery. Two hubcast target processes, A and B, on one `redis-server`; the W1 connections
 * subscribe on B. Two windows on the same connections, at M6's fixed rate for `--duration`:
 * `cross`, publishes posted to A (A's append script publishes to the broker, B receives and
 * fans out), and `local`, the same publishes posted to B itself (through the same log and
 * broker: a Redis-engine node fans out what its broker subscription brings, its own appends
 * too), in an order that rotates with the rounds. The figure is the delivery latency, p50 and
 * p99; cross / local is the cost of the other node.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ProgressBar } from '../loadgen/progress-bar.js';
import { PAYLOAD_BYTES } from '../loadgen/payload.js';
import { Publisher, publishRoute } from '../loadgen/publisher.js';
import { withRedisServer } from '../targets/redis-server.js';
import { TargetProcess } from '../targets/target-process.js';
import {
  CHANNEL,
  HOST,
  ORG,
  SETTLE_MS,
  rateFor,
  targetSettings,
  w1Spec,
  type Collect,
  type RunState,
} from './session.js';
import { steadyRate } from './steady.js';
import { CLUSTER_VARIANTS, variantOrder } from './variants.js';

export async function runClusterSession(
  state: RunState,
  collect: Collect,
  round: number,
): Promise<void> {
  const { options, pool } = state;
  await withRedisServer(async (redis) => {
    const settings = targetSettings(state, { redisUrl: redis.url });
    const nodes: TargetProcess[] = [];
    try {
      for (let i = 0; i < 2; i++)
        nodes.push(await TargetProcess.start('hubcast', settings, options.cpuProfDir));
      const [a, b] = nodes as [TargetProcess, TargetProcess];
      const bar = new ProgressBar('connecting hubcast cluster (node B)', options.connections);
      const ramp = await pool.connect(
        options.connections,
        { ...w1Spec('hubcast', b.port, options, state), slowEvery: 0, slowChannels: [] },
        (ready, failed) => bar.update(ready, failed),
      );
      bar.done(ramp.ready, ramp.failed);
      if (ramp.ready === 0)
        throw new Error(`no connection to hubcast node B succeeded: ${ramp.errors.join('; ')}`);
      await sleep(SETTLE_MS);
      const durationSec = options.clusterDurationSec;
      const session = { state: { ...state, options: { ...options, durationSec } }, pool };
      let lastSeq = 0;
      for (const variant of variantOrder(CLUSTER_VARIANTS, round)) {
        const node = variant === 'cross' ? a : b;
        const route = publishRoute('hubcast', ORG, state.apiKey);
        const publisher = new Publisher(HOST, node.port, route, 8, PAYLOAD_BYTES, lastSeq);
        try {
          const figure = await steadyRate(
            { ...session, proc: b, publisher, connections: ramp.ready },
            CHANNEL,
            rateFor(state),
          );
          collect('cluster', {
            ...figure,
            variant,
            metrics: { ...figure.metrics, connections: ramp.ready, failed: ramp.failed },
          });
        } finally {
          lastSeq = publisher.lastSeq;
          publisher.close();
        }
      }
    } finally {
      await pool.disconnect().finally(() => Promise.all(nodes.map((n) => n.stop())));
    }
  });
}
