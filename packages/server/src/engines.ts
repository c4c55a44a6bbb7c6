/** The node's engines as the config names them (their readiness: readiness.ts). */
import { join } from 'node:path';
import type { Config } from './config/schema.js';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Broker } from './broker/broker.js';
import { LocalBroker } from './broker/local.js';
import { RedisBroker } from './broker/redis.js';
import type { EventLog } from './log/log.js';
import { MemoryEventLog } from './log/memory.js';
import { PostgresEventLog } from './log/postgres.js';
import { SqliteEventLog } from './log/sqlite.js';
import { RedisEventLog } from './log/redis.js';
import { connectRedis } from './redis/connect.js';
import { RedisKeys } from './redis/keys.js';
import type { ExpiryHandlers, Presence, PresenceChange } from './presence/presence.js';
import { RedisPresence } from './presence/redis.js';

/**
 * Opens the log `config.engine` and `config.log` name; the PostgreSQL one migrates and takes its
 * lock first, the Redis one reads its epoch.
 */
export async function openLog(
  config: Config,
  nodeId: string,
  onProgress?: (message: string) => void,
): Promise<EventLog> {
  if (config.engine === 'redis') {
    const log = await RedisEventLog.open({
      // loadConfig refuses `redis` without a URL.
      redis: await connectRedis({ url: config.redisUrl ?? '', name: 'log' }),
      keys: new RedisKeys(config.redisPrefix),
      nodeId,
      historySize: config.historySize,
      historyTtlSeconds: config.historyTtl,
    });
    // Idle tenants' expired events leave Redis within a minute (or a tenth of the TTL).
    log.startSweeping(Math.min(60_000, Math.max(1000, (config.historyTtl * 1000) / 10)));
    return log;
  }
  if (config.log !== 'postgres') return createLog(config, onProgress);
  return PostgresEventLog.open({
    // loadConfig refuses `postgres` without a URL.
    url: config.postgresUrl ?? '',
    historySize: config.historySize,
    historyTtlSeconds: config.historyTtl,
    ...(onProgress === undefined ? {} : { onProgress }),
  });
}

/** The logs that open at once (memory, SQLite); `openLog` opens any. */
export function createLog(config: Config, onProgress?: (message: string) => void): EventLog {
  const retention = { historySize: config.historySize, historyTtlSeconds: config.historyTtl };
  if (config.log === 'memory') return new MemoryEventLog(retention);
  if (config.log === 'postgres')
    throw new Error('the postgres log opens asynchronously: use openLog');
  return new SqliteEventLog({
    path: join(config.dataDir, 'events.db'),
    synchronous: config.sqliteSync,
    ...retention,
    ...(onProgress === undefined ? {} : { onProgress }),
  });
}

/** The broker `config.engine` names; the Redis one decodes events with the Redis log's epoch. */
export function createBroker(config: Config, nodeId: string, log: () => EventLog): Broker {
  if (config.engine === 'embedded') return new LocalBroker(nodeId);
  return new RedisBroker({
    url: config.redisUrl ?? '',
    keys: new RedisKeys(config.redisPrefix),
    nodeId,
    eventsOf: (m) => {
      const current = log();
      if (!(current instanceof RedisEventLog)) throw new Error('the Redis broker needs its log');
      return current.eventsOf(m.org, m.epoch, m.firstSeq, m.lines);
    },
  });
}

/** The cluster's presence (the embedded engine's is made by the node: memory). */
export function createPresence(config: Config, nodeId: string): Presence {
  return new RedisPresence({
    // A template the presence copies its address and credentials from; it never connects.
    redis: new Redis(config.redisUrl ?? '', { lazyConnect: true }),
    prefix: config.redisPrefix,
    nodeId,
    nodeTtlMs: config.nodeTtl * 1000,
  });
}

/**
 * What a cluster node does when presence members come and go with a node: members of a node
 * that died leave, those of this node back from being cut off join again, on every node.
 */
export function presenceExpiry(
  broker: Broker,
  logger: Logger,
  /** Told of the hidden channels' entries (online users, channel occupancy: webhooks). */
  onHidden?: (change: 'join' | 'leave', member: PresenceChange) => void,
): ExpiryHandlers {
  const announce = (change: 'join' | 'leave', members: readonly PresenceChange[]): void => {
    for (const member of members) {
      const { org, channel, user, info } = member;
      // The cluster's hidden channels (cluster/user-slots.ts, presence/online-users.ts) have no
      // watchers to tell.
      if (channel.startsWith('~')) {
        onHidden?.(change, member);
        continue;
      }
      broker
        .publish({
          kind: 'presence',
          org,
          channel,
          change,
          user,
          ...(info === undefined ? {} : { info }),
        })
        .catch((err: unknown) => logger.warn({ err }, `presence ${change} not sent`));
    }
  };
  return {
    onExpired: (left) => announce('leave', left),
    onRestored: (joined) => announce('join', joined),
    onError: (err) => logger.warn({ err }, 'presence heartbeat failed; retrying'),
  };
}
