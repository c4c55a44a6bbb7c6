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

  const launch = async (): Promise<void> => {
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
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child = proc;
    let stderr = '';
    proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<never>((_, reject) =>
      proc.once('exit', (code) =>
        reject(new Error(`redis-server exited with ${String(code)}: ${stderr.trim()}`)),
      ),
    );
    exited.catch(() => undefined);
    await Promise.race([untilAnswers(port), exited]);
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

  await launch();
  let stopped = false;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    restart: launch,
    command: (...args) => sendCommand(port, args),
    async stop() {
      if (stopped) return;
      stopped = true;
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once the server answers PING (it refuses connections while it loads the AOF). */
async function untilAnswers(port: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      const reply = await sendCommand(port, ['PING']);
      if (reply.startsWith('+PONG')) return;
    } catch (err) {
      if (attempt > 400) throw err;
    }
    // Polling is the only way to see a server become ready from outside; 25 ms apart.
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** One RESP command over a fresh TCP connection: the raw reply text. */
function sendCommand(port: number, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let reply = '';
    const request =
      `*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('');
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
