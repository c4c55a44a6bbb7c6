/**
 * The node's engines as the config names them, and their readiness: which of them can answer
 * now, and why not (`/readyz`).
 */
import { join } from 'node:path';
import type { Config } from './config/schema.js';
import { EngineUnavailableError } from './engine-error.js';
import type { EventLog } from './log/log.js';
import { MemoryEventLog } from './log/memory.js';
import { SqliteEventLog } from './log/sqlite.js';

export function createLog(config: Config): EventLog {
  const retention = { historySize: config.historySize, historyTtlSeconds: config.historyTtl };
  if (config.log === 'memory') return new MemoryEventLog(retention);
  return new SqliteEventLog({
    path: join(config.dataDir, 'events.db'),
    synchronous: config.sqliteSync,
    ...retention,
  });
}

export interface Readiness {
  status: string;
  /** Why not ready, per engine (`log`, `store`, ...). */
  reasons?: Record<string, string>;
}

/** Runs every check at once; each failure names its engine. */
export async function checkEngines(checks: readonly (() => Promise<void>)[]): Promise<Readiness> {
  // async: a check that throws before its promise (an engine not open) counts as failed too.
  const results = await Promise.allSettled(checks.map(async (check) => check()));
  const reasons: Record<string, string> = {};
  for (const r of results) {
    if (r.status === 'fulfilled') continue;
    const err: unknown = r.reason;
    if (err instanceof EngineUnavailableError) reasons[err.part] = err.reason;
    else reasons['engine'] = err instanceof Error ? err.message : String(err);
  }
  return Object.keys(reasons).length === 0
    ? { status: 'ready' }
    : { status: 'unavailable', reasons };
}
