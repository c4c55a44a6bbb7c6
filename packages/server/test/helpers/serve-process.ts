/**
 * A real `hubcast serve` process on 127.0.0.1 and a free port, for tests that must see the
 * process itself survive (an uncaught error kills a process; in-process it only fails a run).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';
import { signTestToken, TEST_ADMIN_KEY, TEST_SECRET, type TokenClaims } from './test-node.js';

const BIN = fileURLToPath(new URL('../../bin/hubcast.js', import.meta.url));

export interface ServeProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly port: number;
  readonly httpUrl: string;
  readonly wsUrl: string;
  /** The admin API key it was started with (for `httpRequest`). */
  readonly adminKey: string;
  /** A token it accepts (for `connectClient`). */
  token(claims: TokenClaims): Promise<string>;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** True while the process has not exited. */
  isAlive(): boolean;
  /** The process's resident set size in bytes, read from /proc. */
  rssBytes(): number;
  /** Resolves with the exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

export interface ServeOptions {
  /** A fixed port (a node restarted where its clients expect it); a free one by default. */
  port?: number;
  /** A data dir that outlives the process (restarts on it); a temp dir removed at exit by default. */
  dataDir?: string;
}

/** Starts `hubcast serve` with the test secret and admin key plus `args`; resolves once listening. */
export async function startServeProcess(
  args: readonly string[] = [],
  options: ServeOptions = {},
): Promise<ServeProcess> {
  // A free port may be taken by another process before the node binds it (tests run in
  // parallel, and a bench may hold thousands of local ports): then try a fresh one.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(args, options, options.port ?? (await freePort()));
    } catch (err) {
      if (options.port !== undefined || attempt === 3 || !String(err).includes('EADDRINUSE'))
        throw err;
    }
  }
}

async function startOnce(
  args: readonly string[],
  options: ServeOptions,
  port: number,
): Promise<ServeProcess> {
  const dir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'hubcast-serve-'));
  const child = spawn(
    process.execPath,
    [
      BIN,
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--jwt-secret',
      TEST_SECRET,
      '--api-key',
      TEST_ADMIN_KEY,
      '--data-dir',
      dir,
      ...args,
    ],
    { env: { PATH: process.env['PATH'] ?? '' }, cwd: dir },
  );
  let out = '';
  // A test whose hook timed out never calls stop(): the process must not outlive the run.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  void exited.then(() => process.off('exit', killOnExit));
  let alive = true;
  void exited.then(() => {
    alive = false;
    if (options.dataDir === undefined) rmSync(dir, { recursive: true, force: true });
  });
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (out.includes('hubcast listening')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) =>
      reject(new Error(`hubcast exited ${code} before listening:\n${out}`)),
    );
  });
  return {
    child,
    port,
    httpUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    adminKey: TEST_ADMIN_KEY,
    token: (claims) => signTestToken(claims),
    exited,
    output: () => out,
    isAlive: () => alive,
    rssBytes: () => {
      const status = readStatus(child.pid);
      const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
      if (kb === undefined) throw new Error('no VmRSS for the hubcast process');
      return Number(kb) * 1024;
    },
    async stop(graceMs = 5000) {
      if (!alive) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

function readStatus(pid: number | undefined): string {
  if (pid === undefined) throw new Error('no pid');
  return readFileSync(`/proc/${pid}/status`, 'utf8');
}
