/**
 * A Lua script run by its SHA (EVALSHA), sent whole (EVAL) only when the server does not know
 * it yet: after a Redis restart its script cache is empty (NOSCRIPT), and the next call loads it.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export type LuaReply = string | number | null | LuaReply[];

export class LuaScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(
    redis: Redis,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<LuaReply> {
    try {
      return (await redis.evalsha(this.sha, keys.length, ...keys, ...args)) as LuaReply;
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return (await redis.eval(this.source, keys.length, ...keys, ...args)) as LuaReply;
    }
  }
}
