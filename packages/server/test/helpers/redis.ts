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
import { freePort } from './free-port.js';

export interface RedisServer {
  /** `redis://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** Ends the server with SIGKILL (no shutdown save), keeping its files for `restart`. */
  kill(): Promise<void>;
  /** Starts a killed server on the same port and files; resolves once it answers PING. */
  restart(): Promise<void>;
  /** Sends one command over a fresh connection and answers the raw reply line(s). */
  command(...args: string[]): Promise<string>;
  /** Shuts the server down and deletes its files; safe to call twice. */
  stop(): Promise<void>;
}

/** Starts `redis-server` (set `HUBCAST_REDIS_SERVER` to use another binary). */
export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'hubcast-redis-'));
  const port = await freePort();
  const binary = process.env['HUBCAST_REDIS_SERVER'] ?? 'redis-server';
  let child: ChildProcess | undefined;
  // A test whose hook timed out never calls stop(): the server must not outlive the run.
  const killOnExit = (): void => void child?.kill('SIGKILL');
  process.on('exit', killOnExit);

  const launch = async (): Promise<void> => {
    // A second server on this port would fail to bind while PING reached the first one.
    if (child !== undefined) throw new Error('redis-server is already running; kill() it first');
    const proc = spawn(
      binary,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
        '--protected-mode',
        'no',
        '--loglevel',
        'warning',
      ],
      // Redis logs to stdout (no logfile set): why it would not start is there.
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    let output = '';
    const keep = (chunk: Buffer): void => void (output = (output + chunk.toString()).slice(-4000));
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    const failed = new Promise<never>((_, reject) => {
      // A binary that cannot be spawned emits 'error' and may never emit 'exit'.
      proc.once('error', (err) => reject(new Error(`cannot run ${binary}: ${err.message}`)));
      proc.once('exit', (code, signal) =>
        reject(new Error(`redis-server exited with ${String(code ?? signal)}: ${output.trim()}`)),
      );
    });
    failed.catch(() => undefined);
    proc.once('exit', () => {
      if (child === proc) child = undefined;
    });
    try {
      await Promise.race([untilAnswers(port), failed]);
    } catch (err) {
      if (child === proc) child = undefined;
      proc.kill('SIGKILL');
      throw err;
    }
  };

  const kill = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
  };

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await kill();
    process.off('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await launch();
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    restart: launch,
    command: (...args) => sendCommand(port, args),
    stop,
  };
}

/** Resolves once the server answers PING (it answers -LOADING while it reads the AOF). */
async function untilAnswers(port: number): Promise<void> {
  let last = '';
  for (let attempt = 0; attempt <= 400; attempt++) {
    try {
      last = await sendCommand(port, ['PING']);
      if (last.startsWith('+PONG')) return;
    } catch (err) {
      last = (err as Error).message;
    }
    // Polling is the only way to see a server become ready from outside; 25 ms apart.
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis-server on port ${port} did not answer PING within 10 s: ${last.trim()}`);
}

/** One RESP command over a fresh TCP connection: the raw reply text. */
function sendCommand(port: number, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let reply = '';
    const request =
      `*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('');
    // A server that takes the connection but never answers must not hang the test.
    socket.setTimeout(2000, () => socket.destroy(new Error('no reply within 2 s')));
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      // Simple replies (+OK, -ERR, :n) end with their first CRLF; enough for tests.
      if (reply.includes('\r\n')) {
        socket.end();
        resolve(reply);
      }
    });
    socket.write(request);
  });
}
