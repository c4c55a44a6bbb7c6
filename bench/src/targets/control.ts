/**
 * The IPC contract every target child process answers, so the scenarios treat hubcast and its
 * peers alike: the parent forks a target script, waits for `ready`, then asks for figures.
 */

/** What the parent hands a target through the `BENCH_TARGET` environment variable (JSON). */
export interface TargetSettings {
  host: string;
  /** The port to listen on; 0 (the default) takes a free one. `storm` restarts on the same. */
  port?: number;
  /**
   * Hubcast only: the data directory (SQLite log and store), owned by the parent, which
   * removes it; `storm` restarts on the same one. Without it the target makes a temp dir and
   * removes it on exit.
   */
  dataDir?: string;
  /** Hubcast only: the event log (`durable` compares the two) and SQLite's sync mode. */
  log?: 'sqlite' | 'memory';
  sqliteSync?: 'normal' | 'full';
  /** Hubcast only: the HS256 secret its tokens are signed with, and the admin API key. */
  jwtSecret?: string;
  apiKey?: string;
  /** Hubcast only: events kept per tenant; sized so a run never evicts. */
  historySize?: number;
  /**
   * Hubcast only: run on the Redis engine (issue 11: log, broker and presence in this Redis,
   * the store in memory) instead of the embedded one; `log`, `sqliteSync` and `dataDir` then
   * do not apply.
   */
  redisUrl?: string;
  /**
   * Hubcast only, with `redisUrl`: run the real `hubcast serve --workers N` (Node cluster: N
   * node processes on one port) instead of one node in the target process (hubcast-serve.ts).
   */
  serveWorkers?: number;
}

export type ControlRequest =
  /** Two full GCs, then memory and CPU. */
  | { type: 'measure' }
  /** CPU and RSS, without GC, to bracket a timed window or sample it. */
  | { type: 'cpu' }
  | { type: 'stop' };

export interface CpuFigures {
  cpuUserMicros: number;
  cpuSystemMicros: number;
}

export interface MeasuredReply extends CpuFigures {
  type: 'measured';
  rssBytes: number;
  heapUsedBytes: number;
  /** Buffers and ArrayBuffers still referenced (outside the V8 heap). */
  arrayBuffersBytes: number;
  /** Connections the target itself closed as slow consumers (hubcast's 4001); 0 for peers. */
  slowClosed: number;
  /**
   * `hubcast serve --workers N`: each worker's own figures (the fields above are the sums of
   * the workers and the primary).
   */
  processes?: ProcessFigures[];
}

/** One process of a multi-process target, after its two full GCs. */
export interface ProcessFigures extends CpuFigures {
  pid: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** Open file descriptors (Linux): its sockets count against the per-process `ulimit -n`. */
  openFiles?: number;
}

export type ControlReply =
  | { type: 'ready'; port: number }
  | MeasuredReply
  | ({ type: 'cpu'; rssBytes: number } & CpuFigures)
  | { type: 'failed'; message: string };

export const TARGET_SETTINGS_ENV = 'BENCH_TARGET';

/** Reads the settings the parent passed. */
export function readTargetSettings(): TargetSettings {
  const raw = process.env[TARGET_SETTINGS_ENV];
  if (raw === undefined)
    throw new Error(`${TARGET_SETTINGS_ENV} is not set: start targets with fork()`);
  return JSON.parse(raw) as TargetSettings;
}

type Gc = () => void;

/** Memory after two full GCs (when `--expose-gc` gave `gc`), and CPU so far. */
export function measureThisProcess(): Omit<MeasuredReply, 'slowClosed'> {
  const gc = (globalThis as { gc?: Gc }).gc;
  // Twice: the first pass may leave finalizers whose objects only the second frees.
  gc?.();
  gc?.();
  const mem = process.memoryUsage();
  return {
    type: 'measured',
    rssBytes: mem.rss,
    heapUsedBytes: mem.heapUsed,
    arrayBuffersBytes: mem.arrayBuffers,
    ...cpuOfThisProcess(),
  };
}

export function cpuOfThisProcess(): CpuFigures {
  const cpu = process.cpuUsage();
  return { cpuUserMicros: cpu.user, cpuSystemMicros: cpu.system };
}

/** How long a SIGTERM'd target may take to stop before it exits anyway (hubcast drains within 30 s). */
const SIGTERM_BACKSTOP_MS = 35_000;

/**
 * Answers the parent's control requests. The target exits when the parent goes away (its IPC
 * channel closes), so a crashed or killed generator leaves no orphan. SIGTERM stops it as a
 * deploy does (`stop`, then exit 0): `storm` restarts targets that way.
 */
export function serveControl(stop: () => Promise<void>, slowClosed: () => number = () => 0): void {
  const send = (reply: ControlReply): void => {
    if (process.connected) process.send?.(reply);
  };
  process.on('message', (raw: unknown) => {
    const msg = raw as ControlRequest;
    switch (msg.type) {
      case 'measure':
        send({ ...measureThisProcess(), slowClosed: slowClosed() });
        break;
      case 'cpu':
        send({ type: 'cpu', ...cpuOfThisProcess(), rssBytes: process.memoryUsage.rss() });
        break;
      case 'stop':
        void stop().finally(() => process.exit(0));
        break;
      default: {
        const never: never = msg;
        send({ type: 'failed', message: `unknown control message ${JSON.stringify(never)}` });
      }
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.once('SIGTERM', () => {
    setTimeout(() => process.exit(1), SIGTERM_BACKSTOP_MS).unref();
    void stop().finally(() => process.exit(0));
  });
}

/** Reports a listening target to the parent. */
export function reportReady(port: number): void {
  process.send?.({ type: 'ready', port } satisfies ControlReply);
}

/** Reports a start failure and exits. */
export function reportFailure(err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  if (process.connected) process.send?.({ type: 'failed', message } satisfies ControlReply);
  process.stderr.write(`bench target: ${message}\n`);
  process.exit(1);
}
