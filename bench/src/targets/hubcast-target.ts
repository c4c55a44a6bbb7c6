/**
 * Hubcast as a bench target: one embedded node as `hubcast serve` runs it (SQLite log and
 * store, local broker) in this child process, with limits raised for a load test. The data
 * directory is the parent's when it names one (`storm` restarts on it), else a fresh temp dir
 * deleted on exit. The generator talks to it as any user would: WebSocket on `/ws`, publishes
 * on `POST /api/publish`. Only figures go over IPC. SIGTERM drains as `hubcast serve` does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNode, loadConfig } from '@hubcast/server';
import { readTargetSettings, reportFailure, reportReady, serveControl } from './control.js';

async function main(): Promise<void> {
  const settings = readTargetSettings();
  let dataDir = settings.dataDir;
  if (dataDir === undefined) {
    const own = (dataDir = mkdtempSync(join(tmpdir(), 'hubcast-bench-')));
    process.on('exit', () => rmSync(own, { recursive: true, force: true }));
  }
  const node = createNode(
    loadConfig({
      env: {},
      file: {
        host: settings.host,
        port: settings.port ?? 0,
        jwtSecret: settings.jwtSecret,
        apiKey: settings.apiKey,
        logLevel: 'warn',
        dataDir,
        log: settings.log ?? 'sqlite',
        sqliteSync: settings.sqliteSync ?? 'normal',
        // One user per connection, and no command budget to trip: the bench measures fan-out.
        maxConnectionsPerUser: 1_000_000,
        rateLimit: 1_000_000,
        rateBurst: 1_000_000,
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
