/** The admin console's wire shapes (docs/admin.md), a leaf so the broker can carry them. */

/** One tenant's figures in one sample; rates are per second over the sample's period. */
export interface TenantSample {
  connections: number;
  events_per_s: number;
  deliveries_per_s: number;
  /** Connections closed as slow consumers (4001) during the sample. */
  queue_drops: number;
  /** Ephemeral events dropped for full send queues during the sample. */
  ephemeral_drops: number;
  /** p99 of the lag from publish to queueing at a subscriber; null when nothing was delivered. */
  lag_p99_ms: number | null;
}

/** The node's figures at `t` (ms since the epoch), and its tenants' ('*': the rest). */
export interface Sample extends TenantSample {
  t: number;
  tenants: Record<string, TenantSample>;
}

/** One node's samples after the asked `since`. */
export interface NodeSeries {
  node: string;
  samples: Sample[];
}

/** One node's subscriptions of one org by pattern: the busiest `max`, and whether it cut. */
export interface NodeChannels {
  channels: [pattern: string, subscribers: number][];
  truncated: boolean;
}
