/**
 * The node as the HTTP API and the queue ingest see it (`ApiNode`, api/api-call.ts): publishes
 * scoped to the API's idempotency keys, quotas charged, work tracked for drain, and the
 * cluster-wide answers (`disconnect`, `stats`) gathered from every node's reply.
 */
import { isObject, type JsonValue } from '@hubcast/protocol';
import type { ApiNode } from './api/api-call.js';
import type { ClusterCalls } from './cluster/cluster-calls.js';
import type { Config } from './config/schema.js';
import type { AppendInput, AppendResult, EventLog } from './log/log.js';
import type { Metrics } from './metrics/metrics.js';
import { scopeKeys } from './publish/key-scope.js';
import type { PresenceTracker } from './services/presence-tracker.js';
import type { Services } from './services/services.js';

export interface ApiNodeParts {
  config: Config;
  log: () => EventLog;
  metrics: Metrics;
  chargePublishes: (org: string, events: number) => void;
  /** Counts work that drain must wait for. */
  track: <T>(work: Promise<T>) => Promise<T>;
  /** Appends and fans out as the caller whose keys `items` carry. */
  publish: (org: string, items: readonly AppendInput[]) => Promise<AppendResult[]>;
  publishEphemeral: (org: string, channel: string, data: JsonValue) => Promise<string>;
  services: Services;
  presence: PresenceTracker;
  clusterCalls: ClusterCalls;
  isDraining: () => boolean;
  readiness: ApiNode['readiness'];
  admin: NonNullable<ApiNode['admin']>;
  staticHandler?: ApiNode['staticHandler'] | undefined;
}

export function createApiNode(parts: ApiNodeParts): ApiNode {
  const { config, metrics, services, track, clusterCalls } = parts;
  return {
    config,
    get log() {
      return parts.log();
    },
    metrics,
    chargePublishes: parts.chargePublishes,
    // Idempotency keys of the API are a scope of their own (§2.4, key-scope.ts).
    publish: (org, items) => track(parts.publish(org, scopeKeys(items, { kind: 'api' }))),
    publishEphemeral: parts.publishEphemeral,
    notify: (org, body) => {
      // One event per user notified; a body without a list is refused by notify itself.
      const users = isObject(body) && Array.isArray(body['users']) ? body['users'].length : 1;
      parts.chargePublishes(org, Math.max(1, users));
      return track(services.notifications.notify(org, body));
    },
    chat: services.chat,
    isDraining: parts.isDraining,
    readiness: parts.readiness,
    presenceMembers: (org, channel) => parts.presence.members(org, channel),
    webhooks: services.webhooks.service,
    async disconnect(org, user, reason) {
      const answers = await clusterCalls.ask({ op: 'disconnect', user, reason }, org);
      return answers.reduce((sum, a) => sum + (a.closed ?? 0), 0);
    },
    async stats(org) {
      const answers = await clusterCalls.ask({ op: 'stats', all: org === undefined }, org ?? '');
      const total = { connections: 0, subscriptions: 0, events_per_second: 0, nodes: 0 };
      for (const { stats } of answers) {
        if (stats === undefined) continue;
        total.connections += stats.connections;
        total.subscriptions += stats.subscriptions;
        total.events_per_second += stats.events_per_second;
        total.nodes++;
      }
      return total;
    },
    admin: parts.admin,
    ...(parts.staticHandler === undefined ? {} : { staticHandler: parts.staticHandler }),
  };
}
