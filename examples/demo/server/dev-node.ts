/**
 * Starts the demo's hubcast node: `hubcast serve --dev`, the same command a user runs, as a
 * child process. Dev mode gives the JWT secret, the API key and `/dev.json` (the page's token),
 * so the demo reuses the node's own dev auth instead of inventing one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DevNodeOptions {
  /** Listen port; 0 picks a free one (the default, so the `serve --dev` default 8080 stays free). */
  port: number;
  dataDir: string;
  /** The app's origins, allowed to open WebSockets (the page is not on the node's origin). */
  allowedOrigins: readonly string[];
}

export interface DevNode {
  /** `http://127.0.0.1:PORT` */
  url: string;
  apiKey: string;
  /** The dev node's JWT secret (from `<data-dir>/dev-secrets.json`): the demo signs its users' tokens. */
  jwtSecret: string;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 30_000;
const here = dirname(fileURLToPath(import.meta.url));
/** The CLI of the workspace checkout (built by `npm install`'s prepare). */
export const HUBCAST_BIN = join(here, '../../../packages/server/bin/hubcast.js');

/** Spawns the node and resolves once it printed where it listens and its API key. */
export function startDevNode(options: DevNodeOptions): Promise<DevNode> {
  const args = [
    HUBCAST_BIN,
    'serve',
    '--dev',
    '--port',
    String(options.port),
    '--data-dir',
    options.dataDir,
    '--allowed-origins',
    options.allowedOrigins.join(','),
    '--log-level',
    'warn',
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  // However Vite ends (an error, not only Ctrl-C to the process group), the node goes with it.
  const killOnExit = (): void => void child.kill('SIGTERM');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  return new Promise<DevNode>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`hubcast node did not start in ${STARTUP_TIMEOUT_MS} ms:\n${out}`));
    }, STARTUP_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hubcast node exited with ${code}:\n${out}`));
    });
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      if (out.length < 64_000) out += chunk;
      const url = /hubcast dev node on (http:\/\/\S+)/.exec(out)?.[1];
      const apiKey = /API key:\s+(\S+)/.exec(out)?.[1];
      if (url === undefined || apiKey === undefined) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout?.removeAllListeners('data');
      child.stdout?.resume(); // keep draining so the child never blocks on a full pipe
      let jwtSecret: string;
      try {
        jwtSecret = readJwtSecret(options.dataDir);
      } catch (err) {
        void stopChild(child);
        return reject(err instanceof Error ? err : new Error(String(err)));
      }
      resolve({ url, apiKey, jwtSecret, stop: () => stopChild(child) });
    });
  });
}

/** `serve --dev` keeps its secret there (made on first start, mode 0600). */
function readJwtSecret(dataDir: string): string {
  const path = join(dataDir, 'dev-secrets.json');
  const { jwtSecret } = JSON.parse(readFileSync(path, 'utf8')) as { jwtSecret?: unknown };
  if (typeof jwtSecret !== 'string' || jwtSecret === '')
    throw new Error(`${path} holds no jwtSecret: delete it and restart the demo`);
  return jwtSecret;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
