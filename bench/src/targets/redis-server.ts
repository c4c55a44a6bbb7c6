/**
 * The `redis-server` a Redis-engine session runs on (issue 11), started by the generator for
 * that session and stopped with it: 127.0.0.1 on a free port, its files in a temp dir, no RDB
 * snapshots, and the append-only file fsynced on every write (`--appendfsync always`), so an
 * event hubcast acknowledges is on disk as it is with SQLite's `synchronous=full` (SQLite's
 * default `normal` fsyncs at checkpoints only; bench/README.md compares them). Like the
 * targets it runs in its own process, and its CPU and traffic are read from `INFO`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { reapOnExit } from './reap-on-exit.js';
import { encodeCommand, sendCommand } from './resp.js';
import { readUsage, type RedisUsage } from './redis-usage.js';

/** The binary: `HUBCAST_REDIS_SERVER` names another, as for the server's tests. */
const BINARY = process.env['HUBCAST_REDIS_SERVER'] ?? 'redis-server';
const START_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;
const INFO_ARGS = ['INFO', 'stats', 'cpu', 'commandstats'] as const;

export class RedisServer {
  private exited = false;

  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {
    child.once('exit', () => (this.exited = true));
  }

  /** `redis://127.0.0.1:<port>`, for the hubcast targets' `redisUrl`. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts a server and resolves once it answers PING. */
  static async start(): Promise<RedisServer> {
    const dir = mkdtempSync(join(tmpdir(), 'hubcast-bench-redis-'));
    const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
    const port = await freePort();
    const child = spawn(
      BINARY,
      [
        ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir],
        ...['--appendonly', 'yes', '--appendfsync', 'always', '--save', ''],
        ...['--protected-mode', 'no', '--loglevel', 'warning'],
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    reapOnExit(child, removeDir);
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const server = new RedisServer(port, child, dir);
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'ENOENT'
            ? new Error(
                `${BINARY} not found: install Redis 7, set HUBCAST_REDIS_SERVER, or pass --engines embedded`,
              )
            : err,
        ),
      );
      child.once('exit', (code, signal) =>
        reject(new Error(`redis-server exited (${signal ?? code}): ${stderr.trim()}`)),
      );
    });
    // An exit after the start shows up in the session as its target's Redis errors.
    failed.catch(() => undefined);
    try {
      await Promise.race([untilAnswers(port), failed]);
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  /** Commands, CPU and bytes so far (`INFO stats cpu commandstats`). */
  async usage(): Promise<RedisUsage> {
    const reply = await sendCommand(this.port, INFO_ARGS);
    if (typeof reply !== 'string') throw new Error(`redis INFO answered ${JSON.stringify(reply)}`);
    const replyBytes = Buffer.byteLength(reply);
    return readUsage(reply, {
      inBytes: Buffer.byteLength(encodeCommand(INFO_ARGS)),
      // `$<len>\r\n<text>\r\n`
      outBytes: replyBytes + String(replyBytes).length + 5,
    });
  }

  /** Stops the server (SIGTERM, SIGKILL after a grace) and deletes its files. */
  async stop(): Promise<void> {
    // A binary that never started (ENOENT) has no pid and no exit to wait for.
    if (!this.exited && this.child.pid !== undefined) {
      const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
      await gone;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A port nobody listens on now (the server takes it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** Polls PING until it answers PONG: from outside, the only sign a server is ready. */
async function untilAnswers(port: number): Promise<void> {
  const deadline = performance.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      if ((await sendCommand(port, ['PING'])) === 'PONG') return;
    } catch (err) {
      if (performance.now() > deadline) throw err;
    }
    if (performance.now() > deadline) throw new Error('redis-server did not answer PING');
    await sleep(25);
  }
}

/** Runs `work` on a fresh server, stopped (and its files deleted) however `work` ends. */
export async function withRedisServer<T>(work: (redis: RedisServer) => Promise<T>): Promise<T> {
  const redis = await RedisServer.start();
  try {
    return await work(redis);
  } finally {
    await redis.stop();
  }
}
