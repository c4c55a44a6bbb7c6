/**
 * One place that opens ioredis connections for hubcast's engines, with the options that make an
 * outage visible instead of silent: a command fails at once while the connection is down (no
 * offline queue: a publish must answer 503, not wait and maybe be lost), fails after a deadline
 * when Redis stops answering, and the connection keeps coming back by itself.
 */
import { Redis } from 'ioredis';
import { EngineUnavailableError } from '../engine-error.js';
import type { EngineReason } from '../engine-reason.js';

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
    throw redisOutage(options.name, err);
  }
  return redis;
}

/** A failed Redis command as an `EngineUnavailableError` of `part`, with a stable reason. */
export function redisOutage(part: string, err: unknown): EngineUnavailableError {
  if (err instanceof EngineUnavailableError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new EngineUnavailableError(part, firstWords(message), {
    cause: err,
    code: reasonOf(err, message),
  });
}

function reasonOf(err: unknown, message: string): EngineReason {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EPIPE') return 'unreachable';
  if (code === 'ETIMEDOUT' || /timed out/i.test(message)) return 'timeout';
  // No offline queue: a command sent while the connection is down fails with these words.
  if (/isn't writeable|Connection is closed|connect E|LOADING/i.test(message)) return 'unreachable';
  if (/^READONLY/.test(message)) return 'read_only';
  // Redis refuses writes when it cannot persist (MISCONF) or is out of memory (OOM).
  if (/^(MISCONF|OOM)/.test(message)) return 'disk_full';
  return 'error';
}

/** Redis and ioredis messages hold no secret, but may be long: the first line, capped. */
function firstWords(message: string): string {
  return (message.split('\n', 1)[0] ?? '').slice(0, 200);
}
