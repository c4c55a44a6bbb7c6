/**
 * One place that opens ioredis connections for hubcast's engines, with the options that make an
 * outage visible instead of silent: a command fails at once while the connection is down (no
 * offline queue: a publish must answer 503, not wait and maybe be lost), fails after a deadline
 * when Redis stops answering, and the connection keeps coming back by itself.
 */
import { Redis } from 'ioredis';
import { redisFailure } from './errors.js';

export interface RedisConnectOptions {
  /** `redis://` or `rediss://`; never logged (it may carry a password). */
  url: string;
  /** A command not answered in this long fails with `timeout`. */
  commandTimeoutMs?: number;
  /** For the logs: which connection this is (`log`, `broker`, ...). */
  name: string;
}

/** Opens a connection and resolves once it is ready; rejects (and closes it) if it cannot be. */
export async function connectRedis(options: RedisConnectOptions): Promise<Redis> {
  const redis = new Redis(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 5000,
    connectTimeout: 5000,
    connectionName: `hubcast-${options.name}`,
    // Reconnect forever, at most 1 s apart: a node outlives a Redis restart (issue 11).
    retryStrategy: (times) => Math.min(50 * times, 1000),
  });
  // Without a listener an ioredis connection error is an unhandled 'error' event; outages are
  // reported where a command fails, and by /readyz.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw redisFailure(options.name, err);
  }
  return redis;
}
