/**
 * A real PostgreSQL 15 for tests (STYLE rule 17): `initdb` into a temp dir, the server on
 * 127.0.0.1 and a free port with its unix socket in that dir, tuned for speed (no fsync: a test
 * database need not survive a power cut). One server per test file; `createDatabase()` gives
 * each test or suite an empty database of its own. `stop()` removes everything.
 *
 * PostgreSQL refuses to run as root: when the tests do, the server runs as the `postgres` user
 * (or `nobody`), which then owns the temp dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { untilLogLine } from './child-output.js';
import { freePort } from './free-port.js';

/** Where initdb and postgres live; `HUBCAST_PG_BIN` points elsewhere. */
const BIN_DIR = process.env['HUBCAST_PG_BIN'] ?? '/usr/lib/postgresql/15/bin';

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:PORT/postgres`, superuser with trust auth. */
  readonly url: string;
  readonly port: number;
  /** Creates an empty database and answers its connection string. */
  createDatabase(): Promise<string>;
  /** Ends the server as a crash would (immediate shutdown), keeping its files for `restart`. */
  kill(): Promise<void>;
  /** Starts a killed server again on the same port and data; resolves once it takes connections. */
  restart(): Promise<void>;
  /** Stops every server process (SIGSTOP): connections stay open and nothing answers. */
  freeze(): void;
  /** Lets a frozen server run again. */
  thaw(): void;
  /** Shuts the server down and deletes its files; safe to call twice. */
  stop(): Promise<void>;
}

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
  throw new Error('tests run as root, and PostgreSQL needs a non-root user: add a postgres user');
}

/** The pids whose parent is `pid` (the server's backends), read from /proc. */
function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may hold spaces, so split after its ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

function runTool(tool: string, args: string[], account: Account | undefined, cwd: string) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(join(BIN_DIR, tool), args, {
      cwd,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LC_ALL: 'C', TZ: 'UTC' },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...account,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${tool} exited with ${code}: ${output}`)),
    );
  });
}

export async function startPostgres(): Promise<PostgresServer> {
  const account = serverAccount();
  const dir = mkdtempSync(join(tmpdir(), 'hubcast-pg-'));
  if (account !== undefined) chownSync(dir, account.uid, account.gid);
  const dataDir = join(dir, 'data');
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
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

  let server: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let frozen: number[] = [];

  /** Starts the server on `port`; resolves when it logs that it takes connections. */
  const launch = (port: number): Promise<void> => {
    const child = spawn(
      join(BIN_DIR, 'postgres'),
      [
        ...['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', dir],
        // No fsync, but commits still reach the OS before they are acknowledged, so what a
        // test wrote survives kill() (synchronous_commit=off would lose the last ones).
        ...['-c', 'fsync=off', '-c', 'full_page_writes=off'],
        ...['-c', 'wal_level=minimal', '-c', 'max_wal_senders=0', '-c', 'autovacuum=off'],
        ...['-c', 'shared_buffers=16MB', '-c', 'max_connections=80'],
      ],
      {
        cwd: dir,
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LC_ALL: 'C', TZ: 'UTC' },
        stdio: ['ignore', 'ignore', 'pipe'],
        ...account,
      },
    );
    server = child;
    exited = new Promise((done) => child.once('exit', () => done()));
    return untilLogLine(child, 'ready to accept connections', 'postgres');
  };

  // Another process may take the free port before the server binds it: try a fresh one.
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await launch(port);
      break;
    } catch (err) {
      if (attempt === 3 || !String(err).includes('could not bind')) {
        removeDir();
        throw err;
      }
    }
  }

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  // If the test process ends without stop(), the server must not outlive it.
  const onProcessExit = (): void => {
    if (server?.exitCode === null) {
      for (const pid of frozen) process.kill(pid, 'SIGCONT');
      server.kill('SIGQUIT');
    }
  };
  process.once('exit', onProcessExit);

  const shutDown = async (signal: NodeJS.Signals): Promise<void> => {
    if (server === undefined || server.exitCode !== null || server.signalCode !== null) return;
    thaw();
    server.kill(signal);
    await exited;
  };
  const thaw = (): void => {
    for (const pid of frozen) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // Already gone.
      }
    }
    frozen = [];
  };
  let databases = 0;
  let stopped = false;

  return {
    url,
    port,
    async createDatabase() {
      const name = `test_${++databases}`;
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    // SIGQUIT is PostgreSQL's immediate shutdown: backends end at once, no checkpoint.
    kill: () => shutDown('SIGQUIT'),
    restart: () => launch(port),
    freeze() {
      const pid = server?.pid;
      if (pid === undefined) throw new Error('the server is not running');
      // The postmaster first, so it forks no new backend meanwhile.
      frozen = [pid];
      process.kill(pid, 'SIGSTOP');
      for (const child of childPids(pid)) {
        frozen.push(child);
        process.kill(child, 'SIGSTOP');
      }
    },
    thaw,
    async stop() {
      if (stopped) return;
      stopped = true;
      process.off('exit', onProcessExit);
      // SIGINT is the fast shutdown: open connections are told and closed.
      await shutDown('SIGINT');
      removeDir();
    },
  };
}
