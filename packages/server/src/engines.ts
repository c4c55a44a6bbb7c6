/**
 * The node's engines as the config names them, and their readiness: which of them can answer
 * now, and why not (`/readyz`).
 */
import { join } from 'node:path';
import type { Config } from './config/schema.js';
import { EngineUnavailableError } from './engine-error.js';
import type { EventLog } from './log/log.js';
import { MemoryEventLog } from './log/memory.js';
import { PostgresEventLog } from './log/postgres.js';
import { SqliteEventLog } from './log/sqlite.js';

/** Opens the log `config.log` names; the PostgreSQL one migrates and takes its lock first. */
export async function openLog(
  config: Config,
  onProgress?: (message: string) => void,
): Promise<EventLog> {
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
