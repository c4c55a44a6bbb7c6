/** The Redis connection a `RedisPresence` opens for itself, and why it is set up so. */
import type { Redis } from 'ioredis';
import { SCRIPTS } from './redis-scripts.js';

export interface PresenceConnection {
  readonly redis: Redis;
  /**
   * Resolves once the first connection attempt is done. The connection is lazy, so building a
   * presence does no I/O: the first call of any kind opens it, and calls made meanwhile wait
   * for that rather than fail as "not connected". If it fails, ioredis goes on reconnecting
   * and later calls fail fast until it is back.
   */
  connect(this: void): Promise<void>;
}

/**
 * A connection with the node's address, credentials and reconnect backoff (copied from its
 * client, which is not touched) and failure settings of our own: the node's may suit BullMQ,
 * which wants retries without end. No offline queue and no retried request: a call made or
 * caught while disconnected fails at once, rather than waiting and later writing an entry its
 * caller was told had failed. The timeout covers a server that takes a call and never answers.
 */
export function openPresenceConnection(
  template: Redis,
  nodeId: string,
  commandTimeoutMs: number,
): PresenceConnection {
  const redis = template.duplicate({
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
    // Keys are built by us and inside Lua, where a client-side prefix would not reach.
    keyPrefix: undefined,
    lazyConnect: true,
    connectionName: `hubcast-presence-${nodeId}`,
  });
  // Failures reach callers as rejected calls and the heartbeat's onError; without a listener
  // ioredis would also print every failed reconnect.
  redis.on('error', () => undefined);
  // Load the scripts first on each new connection: Redis forgets them when it restarts, and
  // runScript's NOSCRIPT retry could otherwise put an add after a remove sent later.
  redis.on('ready', () => {
    for (const s of SCRIPTS) redis.script('LOAD', s.lua).catch(() => undefined);
  });
  let first: Promise<void> | undefined;
  return {
    redis,
    connect() {
      first ??=
        redis.status === 'wait'
          ? redis.connect().catch((err: unknown) => {
              first = Promise.resolve();
              throw err;
            })
          : Promise.resolve();
      return first;
    },
  };
}
