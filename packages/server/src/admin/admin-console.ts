/**
 * The node's part of the admin console (docs/admin.md): its sampler, its answers to the
 * console's cluster questions, and the cluster-wide views the admin routes serve, gathered with
 * the cluster calls `/api/stats` uses, so one console shows every node.
 */
import type { ClusterAnswer, ClusterQuestion } from '../broker/broker.js';
import type { ClusterCalls } from '../cluster/cluster-calls.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Session } from '../session/session.js';
import type { NodeChannels, NodeSeries } from './admin-types.js';
import { Sampler } from './sampler.js';

/** The most patterns one node reports for one org: the busiest, so the answer stays small. */
export const NODE_CHANNELS_MAX = 1000;

/** One page of an org's subscribed patterns over the cluster, busiest first. */
export interface ChannelsPage {
  channels: { channel: string; subscribers: number }[];
  /** Patterns over all pages (of what the nodes reported). */
  total: number;
  /** A node had more than `NODE_CHANNELS_MAX` patterns: the quietest are not listed. */
  truncated: boolean;
  /** Nodes that answered. */
  nodes: number;
}

/** What the admin routes ask of the node (api/api-call.ts `ApiNode.admin`). */
export interface AdminApi {
  /** Every node's samples taken after `sinceMs`. */
  series(sinceMs: number): Promise<{ nodes: NodeSeries[] }>;
  channels(org: string, offset: number, limit: number): Promise<ChannelsPage>;
}

export interface AdminConsoleDeps {
  nodeId: string;
  metrics: Metrics;
  sessions: ReadonlySet<Session>;
  clusterCalls: ClusterCalls;
}

type AdminQuestion = Extract<
  ClusterQuestion['question'],
  { op: 'admin_series' } | { op: 'admin_channels' }
>;

export class AdminConsole implements AdminApi {
  readonly sampler: Sampler;

  constructor(private readonly deps: AdminConsoleDeps) {
    const { metrics, sessions } = deps;
    this.sampler = new Sampler({
      counters: metrics.tenants,
      counts: () => ({
        deliveries: metrics.hot.delivered,
        queueDrops: metrics.hot.queueDrops,
        ephemeralDrops: metrics.hot.ephemeralDropped,
      }),
      connectionsByOrg() {
        const byOrg = new Map<string, number>();
        for (const s of sessions)
          if (s.state === 'live') byOrg.set(s.org, (byOrg.get(s.org) ?? 0) + 1);
        return byOrg;
      },
    });
  }

  start(): void {
    this.sampler.start();
  }

  stop(): void {
    this.sampler.stop();
  }

  /** This node's answer to an admin question about `org`. */
  answer(q: AdminQuestion, org: string): Pick<ClusterAnswer, 'series' | 'channels'> {
    if (q.op === 'admin_series')
      return { series: { node: this.deps.nodeId, samples: this.sampler.since(q.since_ms) } };
    return { channels: localChannels(this.deps.sessions, org, q.max) };
  }

  async series(sinceMs: number): Promise<{ nodes: NodeSeries[] }> {
    const answers = await this.deps.clusterCalls.ask({ op: 'admin_series', since_ms: sinceMs }, '');
    const nodes = answers.flatMap((a) => (a.series === undefined ? [] : [a.series]));
    nodes.sort((a, b) => a.node.localeCompare(b.node));
    return { nodes };
  }

  async channels(org: string, offset: number, limit: number): Promise<ChannelsPage> {
    const answers = await this.deps.clusterCalls.ask(
      { op: 'admin_channels', max: NODE_CHANNELS_MAX },
      org,
    );
    const merged = new Map<string, number>();
    let truncated = false;
    let nodes = 0;
    for (const { channels } of answers) {
      if (channels === undefined) continue;
      nodes++;
      truncated ||= channels.truncated;
      for (const [pattern, n] of channels.channels)
        merged.set(pattern, (merged.get(pattern) ?? 0) + n);
    }
    const all = [...merged].sort(busiestFirst);
    return {
      channels: all
        .slice(offset, offset + limit)
        .map(([channel, subscribers]) => ({ channel, subscribers })),
      total: all.length,
      truncated,
      nodes,
    };
  }
}

const busiestFirst = (a: [string, number], b: [string, number]): number =>
  b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** This node's live subscriptions of `org` by pattern, the busiest `max`. */
export function localChannels(
  sessions: ReadonlySet<Session>,
  org: string,
  max: number,
): NodeChannels {
  const counts = new Map<string, number>();
  for (const s of sessions) {
    if (s.org !== org || s.state !== 'live') continue;
    for (const pattern of s.subscriptions.keys())
      counts.set(pattern, (counts.get(pattern) ?? 0) + 1);
  }
  const all = [...counts].sort(busiestFirst);
  return { channels: all.slice(0, max), truncated: all.length > max };
}
