/**
 * Hubcast as a bench target: one node as `hubcast serve` runs it, in this child process, with
 * limits raised for a load test. Embedded (the default): SQLite log and store, local broker;
 * the data directory is the parent's when it names one (`storm` restarts on it), else a fresh
 * temp dir deleted on exit. With `redisUrl`: the Redis engine (issue 11), log, broker and
 * presence in the parent's `redis-server`, the store in memory. The generator talks to it as
 * any user would: WebSocket on `/ws`, publishes on `POST /api/publish`. Only figures go over
 * IPC. SIGTERM drains as `hubcast serve` does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNode, loadConfig, type ConfigInput } from '@hubcast/server';
import {
  readTargetSettings,
  reportFailure,
  reportReady,
  serveControl,
  type TargetSettings,
} from './control.js';

/** The engine's part of the config: a Redis-engine config must not name a log. */
function engineConfig(settings: TargetSettings): ConfigInput {
  if (settings.redisUrl !== undefined)
    return { engine: 'redis', redisUrl: settings.redisUrl, store: 'memory' };
  let dataDir = settings.dataDir;
  if (dataDir === undefined) {
    const own = (dataDir = mkdtempSync(join(tmpdir(), 'hubcast-bench-')));
    process.on('exit', () => rmSync(own, { recursive: true, force: true }));
  }
  return { dataDir, log: settings.log ?? 'sqlite', sqliteSync: settings.sqliteSync ?? 'normal' };
}

async function main(): Promise<void> {
  const settings = readTargetSettings();
  const node = createNode(
    loadConfig({
      env: {},
      file: {
        host: settings.host,
        port: settings.port ?? 0,
        jwtSecret: settings.jwtSecret,
        apiKey: settings.apiKey,
        logLevel: 'warn',
        ...engineConfig(settings),
        // One user per connection, and no command budget to trip: the bench measures fan-out.
        maxConnectionsPerUser: 1_000_000,
        rateLimit: 1_000_000,
        rateBurst: 1_000_000,
        // Nor a chat write rate (`chat`): the bench measures the service, not its limiter.
        chatSendRate: 1_000_000,
        chatSendBurst: 1_000_000,
        historySize: settings.historySize ?? 1_000_000,
      },
    }),
  );
  serveControl(
    () => node.stop(),
    () => node.metrics.hot.queueDrops,
  );
  await node.start();
  reportReady(node.address().port);
}

main().catch(reportFailure);
