/**
 * The PostgreSQL 15 a `polling` session runs on (issue 13), started by the generator for that
 * session and stopped with it, as the server's tests start theirs: `initdb` into a temp dir,
 * 127.0.0.1 on a free port, trust auth, `pg_stat_statements` loaded so the queries can be
 * counted from the database's side too. When the bench runs as root the server runs as the
 * `postgres` user (or `nobody`): PostgreSQL refuses root. Its CPU (the postmaster and every
 * backend, which are its children) is read from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reapOnExit } from './reap-on-exit.js';

/** Where initdb and postgres live; `HUBCAST_PG_BIN` points elsewhere (as for the tests). */
const BIN_DIR = process.env['HUBCAST_PG_BIN'] ?? '/usr/lib/postgresql/15/bin';
const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;
/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on every Linux we run). */
const TICKS_PER_SEC = 100;

interface Account {
  uid: number;
  gid: number;
}

/** The account to run as: ours, unless we are root. */
function serverAccount(): Account | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n');
  for (const name of ['postgres', 'nobody']) {
    const fields = passwd.find((line) => line.startsWith(`${name}:`))?.split(':');
    if (fields !== undefined) return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  throw new Error(
    'the bench runs as root, and PostgreSQL needs a non-root user: add a postgres user',
  );
}

const pgEnv = (): NodeJS.ProcessEnv => ({
  PATH: process.env['PATH'] ?? '/usr/bin:/bin',
  LC_ALL: 'C',
  TZ: 'UTC',
});

export class PostgresServer {
  private exited = false;

  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {
    child.once('exit', () => (this.exited = true));
  }

  /** `postgres://postgres@127.0.0.1:<port>/postgres`: the superuser, trust auth. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** initdb, then the server; resolves once it logs that it takes connections. */
  static async start(): Promise<PostgresServer> {
    const account = serverAccount();
    const dir = mkdtempSync(join(tmpdir(), 'hubcast-bench-pg-'));
    const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
    if (account !== undefined) chownSync(dir, account.uid, account.gid);
    const dataDir = join(dir, 'data');
    try {
      await runTool(
        'initdb',
        ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
        account,
        dir,
      );
    } catch (err) {
      removeDir();
      throw err;
    }
    const port = await freePort();
    const child = spawn(
      join(BIN_DIR, 'postgres'),
      [
        ...['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', dir],
        // A bench database need not survive a power cut; commits still reach the OS.
        ...['-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'autovacuum=off'],
        ...['-c', 'shared_buffers=64MB', '-c', 'max_connections=100'],
        ...['-c', 'shared_preload_libraries=pg_stat_statements'],
      ],
      { cwd: dir, env: pgEnv(), stdio: ['ignore', 'ignore', 'pipe'], ...account },
    );
    reapOnExit(child, removeDir);
    const server = new PostgresServer(port, child, dir);
    try {
      await untilReady(child);
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  /**
   * CPU (µs) used so far by the postmaster and its children (backends, writers): the live ones
   * read one by one, the ended ones from the postmaster's reaped-children times, so a backend
   * that exits between two reads moves its CPU from one term to the other instead of out of the
   * sum (which made a round's figure negative).
   */
  cpuMicros(): number {
    const pid = this.child.pid;
    if (pid === undefined || this.exited) return 0;
    let ticks = 0;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = readStat(Number(entry));
      if (stat === undefined) continue;
      if (stat.pid === pid) ticks += stat.ticks + stat.reapedTicks;
      else if (stat.ppid === pid) ticks += stat.ticks;
    }
    return (ticks / TICKS_PER_SEC) * 1e6;
  }

  /** Stops the server (fast shutdown, SIGKILL after a grace) and deletes its files. */
  async stop(): Promise<void> {
    if (!this.exited && this.child.pid !== undefined) {
      const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.kill('SIGINT');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
      await gone;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs `work` on a fresh server, stopped (and its files deleted) however `work` ends. */
export async function withPostgres<T>(work: (pg: PostgresServer) => Promise<T>): Promise<T> {
  const pg = await PostgresServer.start();
  try {
    return await work(pg);
  } finally {
    await pg.stop();
  }
}

/**
 * `pid`'s parent, its user + system ticks and those of its children it has reaped, from
 * /proc/<pid>/stat; undefined once gone.
 */
function readStat(
  pid: number,
): { pid: number; ppid: number; ticks: number; reapedTicks: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces, so split after its ')'. utime and
    // stime are fields 14 and 15, so 11 and 12 after the state; cutime and cstime follow.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      pid,
      ppid: Number(rest[1]),
      ticks: Number(rest[11]) + Number(rest[12]),
      reapedTicks: Number(rest[13]) + Number(rest[14]),
    };
  } catch {
    return undefined; // it ended while we looked
  }
}

function runTool(tool: string, args: string[], account: Account | undefined, cwd: string) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(join(BIN_DIR, tool), args, {
      cwd,
      env: pgEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      ...account,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT'
          ? new Error(
              `${tool} not found in ${BIN_DIR}: install PostgreSQL 15 or set HUBCAST_PG_BIN`,
            )
          : err,
      ),
    );
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${tool} exited with ${code}: ${output.trim()}`)),
    );
  });
}

/** Resolves once the server logs that it is ready; rejects with its log if it exits first. */
function untilReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(
      () =>
        reject(new Error(`postgres did not start within ${START_TIMEOUT_MS} ms: ${log.trim()}`)),
      START_TIMEOUT_MS,
    );
    const onExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`postgres exited with ${code} before it was ready: ${log.trim()}`));
    };
    child.stderr?.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-4000);
      if (!log.includes('ready to accept connections')) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve();
    });
    child.once('exit', onExit);
    child.once('error', reject);
  });
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
