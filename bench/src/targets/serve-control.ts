/**
 * The control contract (control.ts) for the real `hubcast serve --workers N`: loaded with
 * `--import` into the serve process (hubcast-serve.ts), so the node processes are the CLI's
 * own (Node cluster, the primary supervising, the port shared), and the bench still asks
 * them for figures. In the primary it answers the parent: `ready` once every worker listens,
 * `measure` and `cpu` summed over the workers (each worker's own figures too), and `stop` as
 * a deploy does it, by SIGTERM to the primary, which drains every worker. In a worker it
 * answers the primary's requests for that worker's figures.
 *
 * The serve command handles SIGTERM itself, so unlike `serveControl` this installs no signal
 * handler. When the parent goes away the primary is sent SIGTERM too, and its workers follow
 * (a worker whose primary is gone drains and exits), so a killed generator leaves no orphan.
 */
import cluster, { type Worker } from 'node:cluster';
import { readdirSync } from 'node:fs';
import {
  cpuOfThisProcess,
  measureThisProcess,
  readTargetSettings,
  reportReady,
  type ControlReply,
  type ControlRequest,
  type CpuFigures,
  type MeasuredReply,
  type ProcessFigures,
} from './control.js';

/** Between the primary and a worker, over the cluster's own IPC channel. */
type WorkerAsk = { type: 'bench:ask'; id: number; gc: boolean };
type WorkerFigures = { type: 'bench:figures'; id: number } & ProcessFigures;

const ASK_TIMEOUT_MS = 30_000;
/** A drain that hangs still ends: the serve command's own timeout is 30 s. */
const BACKSTOP_MS = 40_000;

const isFigures = (m: unknown): m is WorkerFigures =>
  typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'bench:figures';

/** Open file descriptors (Linux); undefined where /proc is missing. */
function openFiles(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}

function figuresOfThisProcess(gc: boolean): ProcessFigures {
  const m = gc
    ? measureThisProcess()
    : { rssBytes: process.memoryUsage.rss(), heapUsedBytes: 0, ...cpuOfThisProcess() };
  const files = openFiles();
  return {
    pid: process.pid,
    rssBytes: m.rssBytes,
    heapUsedBytes: m.heapUsedBytes,
    cpuUserMicros: m.cpuUserMicros,
    cpuSystemMicros: m.cpuSystemMicros,
    ...(files === undefined ? {} : { openFiles: files }),
  };
}

function runInWorker(): void {
  process.on('message', (m: unknown) => {
    const ask = m as Partial<WorkerAsk>;
    if (ask.type !== 'bench:ask' || typeof ask.id !== 'number') return;
    process.send?.({
      type: 'bench:figures',
      id: ask.id,
      ...figuresOfThisProcess(ask.gc === true),
    } satisfies WorkerFigures);
  });
}

function runInPrimary(): void {
  const expected = readTargetSettings().serveWorkers ?? 1;
  const send = (reply: ControlReply): void => {
    if (process.connected) process.send?.(reply);
  };
  const listening = new Set<number>();
  let ready = false;
  cluster.on('listening', (worker, address) => {
    listening.add(worker.id);
    if (ready || listening.size < expected) return;
    ready = true;
    reportReady(address.port);
  });

  let nextId = 1;
  const waiting = new Map<number, (f: ProcessFigures) => void>();
  cluster.on('message', (_worker: Worker, m: unknown) => {
    if (!isFigures(m)) return;
    const { type: _type, id, ...figures } = m;
    waiting.get(id)?.(figures);
    waiting.delete(id);
  });
  const ask = (worker: Worker, gc: boolean): Promise<ProcessFigures> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`worker ${worker.process.pid} did not report its figures`));
      }, ASK_TIMEOUT_MS);
      waiting.set(id, (f) => {
        clearTimeout(timer);
        resolve(f);
      });
      worker.send({ type: 'bench:ask', id, gc } satisfies WorkerAsk);
    });
  const askAll = (gc: boolean): Promise<ProcessFigures[]> =>
    Promise.all(Object.values(cluster.workers ?? {}).flatMap((w) => (w ? [ask(w, gc)] : [])));
  const sumCpu = (list: readonly CpuFigures[]): CpuFigures => ({
    cpuUserMicros: list.reduce((n, p) => n + p.cpuUserMicros, 0),
    cpuSystemMicros: list.reduce((n, p) => n + p.cpuSystemMicros, 0),
  });

  const stop = (): void => {
    setTimeout(() => process.exit(1), BACKSTOP_MS).unref();
    process.kill(process.pid, 'SIGTERM');
  };
  process.on('message', (raw: unknown) => {
    const msg = raw as ControlRequest;
    switch (msg.type) {
      case 'measure':
        askAll(true).then((workers) => {
          const own = measureThisProcess();
          const all = [own, ...workers];
          const reply: MeasuredReply = {
            ...own,
            ...sumCpu(all),
            rssBytes: all.reduce((n, p) => n + p.rssBytes, 0),
            heapUsedBytes: all.reduce((n, p) => n + p.heapUsedBytes, 0),
            arrayBuffersBytes: own.arrayBuffersBytes,
            slowClosed: 0,
            processes: workers,
          };
          send(reply);
        }, reportAskFailure(send));
        break;
      case 'cpu':
        askAll(false).then((workers) => {
          const all = [cpuOfThisProcess(), ...workers];
          const rssBytes = workers.reduce((n, p) => n + p.rssBytes, process.memoryUsage.rss());
          send({ type: 'cpu', ...sumCpu(all), rssBytes });
        }, reportAskFailure(send));
        break;
      case 'stop':
        stop();
        break;
      default: {
        const never: never = msg;
        send({ type: 'failed', message: `unknown control message ${JSON.stringify(never)}` });
      }
    }
  });
  process.on('disconnect', stop);
}

/** A worker that did not answer: said on stderr; the parent's request then times out. */
function reportAskFailure(send: (reply: ControlReply) => void): (err: unknown) => void {
  return (err) => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`bench target: ${message}\n`);
    send({ type: 'failed', message });
  };
}

if (cluster.isPrimary) runInPrimary();
else runInWorker();
