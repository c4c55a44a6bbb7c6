/**
 * A real `redis-server` for tests (STYLE rule 17): one process on 127.0.0.1 and a free port,
 * its files in a temp dir, started with `--appendonly` so a restart keeps what was written
 * (fsync `always`, the setting the docs recommend when no acknowledged event may be lost).
 * `restart()` brings it back on the same port and data, as a crash and a supervisor would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { untilLogLine } from './child-output.js';
import { freePort } from './free-port.js';

export interface RedisServer {
  /** `redis://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** Ends the server with SIGKILL (no shutdown save), keeping its files for `restart`. */
  kill(): Promise<void>;
  /** Starts a killed server on the same port and files; resolves once it takes commands. */
  restart(): Promise<void>;
  /** Stops the server (SIGSTOP): connections stay open and nothing answers. */
  freeze(): void;
  /** Lets a frozen server run again. */
  thaw(): void;
  /**
   * Sends one command over a fresh connection and answers the raw reply: whole for simple,
   * error, integer and bulk replies (`$1\r\nv\r\n`), only the first line of an array's.
   */
  command(...args: string[]): Promise<string>;
  /** Shuts the server down and deletes its files; safe to call twice. */
  stop(): Promise<void>;
}

/** Starts `redis-server` (set `HUBCAST_REDIS_SERVER` to use another binary). */
export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'hubcast-redis-'));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  const binary = process.env['HUBCAST_REDIS_SERVER'] ?? 'redis-server';
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let frozen = false;

  /** Starts the server on `port`; resolves when it logs that it takes commands. */
  const launch = async (port: number): Promise<void> => {
    if (child !== undefined) throw new Error('redis-server is already running');
    const proc = spawn(
      binary,
      [
        ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir],
        ...['--appendonly', 'yes', '--appendfsync', 'always', '--save', ''],
        // `notice` is the lowest level that logs "Ready to accept connections", which comes
        // after the AOF is loaded: awaiting that line needs no polling.
        ...['--protected-mode', 'no', '--loglevel', 'notice'],
      ],
      // redis-server logs to stdout, not stderr: that is where a failed bind is explained.
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    exited = new Promise((done) => proc.once('exit', () => done()));
    try {
      await untilLogLine(proc, 'Ready to accept connections', 'redis-server');
    } catch (err) {
      child = undefined;
      throw err;
    }
  };

  // Another process may take the free port before the server binds it: try a fresh one.
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await launch(port);
      break;
    } catch (err) {
      if (attempt === 3 || !String(err).includes('Address already in use')) {
        removeDir();
        throw err;
      }
    }
  }

  const thaw = (): void => {
    if (!frozen) return;
    frozen = false;
    child?.kill('SIGCONT');
  };
  const kill = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGKILL');
    frozen = false;
    await exited;
  };
  // If the test process ends without stop(), the server must not outlive it.
  const onProcessExit = (): void => void child?.kill('SIGKILL');
  process.once('exit', onProcessExit);

  let stopped = false;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    restart: () => launch(port),
    freeze() {
      if (child === undefined) throw new Error('the server is not running');
      frozen = true;
      child.kill('SIGSTOP');
    },
    thaw,
    command: (...args) => sendCommand(port, args),
    async stop() {
      if (stopped) return;
      stopped = true;
      process.off('exit', onProcessExit);
      await kill();
      removeDir();
    },
  };
}

/** One RESP command over a fresh TCP connection: its raw reply (an array's first line). */
function sendCommand(port: number, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let reply = '';
    const request =
      `*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('');
    // A frozen server accepts (the kernel does) and never answers: give up rather than hang.
    socket.setTimeout(5000, () => socket.destroy(new Error(`no reply to ${args[0]} in 5 s`)));
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`connection closed before a reply to ${args[0]}`)));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      const end = replyEnd(reply);
      if (end !== undefined) {
        socket.end();
        resolve(Buffer.from(reply.slice(0, end), 'latin1').toString());
      }
    });
    socket.write(request);
  });
}

/** Where a reply ends (bytes, as latin1 chars), or `undefined` while it is incomplete. */
function replyEnd(reply: string): number | undefined {
  const lineEnd = reply.indexOf('\r\n');
  if (lineEnd === -1) return undefined;
  if (!reply.startsWith('$')) return lineEnd + 2;
  const length = Number(reply.slice(1, lineEnd));
  if (length < 0) return lineEnd + 2; // $-1: nil
  const end = lineEnd + 2 + length + 2;
  return reply.length >= end ? end : undefined;
}

/**
 * One `redis-server` for a test file, emptied after each test as a new cluster would find it;
 * answers a getter because the server starts in `beforeAll`.
 */
export function useSharedRedis(): () => RedisServer {
  let redis: RedisServer | undefined;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    await redis?.command('FLUSHALL');
  });
  return () => {
    if (redis === undefined) throw new Error('redis is not started yet');
    return redis;
  };
}
