/**
 * Hubcast's Redis key and channel names in one place. A tenant's keys carry its org as a hash
 * tag (`{org}`), so on a Redis Cluster they share one slot and one Lua script may touch them all
 * (ARCHITECTURE.md: tenants are the unit of sharding). Org names cannot hold braces (§1).
 */

/**
 * Broker shards: a tenant's events travel on one of these pub/sub channels, so a tenant's
 * messages keep their order (one channel), while tenants spread over channels a Redis Cluster
 * could place on different shards (`SPUBLISH`). Every node subscribes to all of them: with no
 * sticky sessions every node holds clients of nearly every busy tenant, so subscribing per
 * tenant would save little and add a subscribe race per tenant per node (docs/scaling.md).
 */
export const BROKER_SHARDS = 16;

export class RedisKeys {
  /** The log's epoch: new when Redis loses its data, so old cursors stop placing (§1). */
  readonly epoch: string;
  /** Node id -> last heartbeat (ms): the live nodes of the cluster. */
  readonly nodes: string;

  constructor(readonly prefix: string) {
    this.epoch = `${prefix}:epoch`;
    this.nodes = `${prefix}:nodes`;
  }

  /** The org's last seq (INCR). */
  seq(org: string): string {
    return `${this.prefix}:{${org}}:seq`;
  }

  /** The org's events: a stream whose entry ids are `<seq>-0`. */
  stream(org: string): string {
    return `${this.prefix}:{${org}}:log`;
  }

  /** An idempotency key (already scoped per publisher) -> the seq it created. */
  idempotency(org: string, key: string): string {
    return `${this.prefix}:{${org}}:k:${key}`;
  }

  /** The pub/sub channel an org's broker messages travel on. */
  shardChannel(org: string): string {
    return this.shardChannelOf(shardOf(org));
  }

  shardChannelOf(shard: number): string {
    return `${this.prefix}:ev:${shard}`;
  }

  /** A node's private channel, for replies to cluster-wide requests. */
  nodeChannel(nodeId: string): string {
    return `${this.prefix}:node:${nodeId}`;
  }
}

/** FNV-1a of the org, mod `BROKER_SHARDS`: stable across nodes and versions. */
export function shardOf(org: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < org.length; i++) {
    hash ^= org.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % BROKER_SHARDS;
}
