/**
 * `hubcast serve --workers N` (issue 11): N node processes on one machine, one per core, through
 * Node's `cluster` module. The primary only supervises: it forks the workers (each runs the same
 * `serve` command and joins the Redis engine like any other node), shares the listening port
 * among them, restarts a worker that dies, passes SIGTERM on so every worker drains, and answers
 * the workers' requests for the metrics of all of them, so one `/metrics` scrape on the shared
 * port sees the whole machine.
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Logger } from 'pino';

const METRICS_REQUEST = 'hubcast:metrics?';
const METRICS_REPLY = 'hubcast:metrics';

interface MetricsRequest {
  type: typeof METRICS_REQUEST;
  id: number;
}
interface MetricsReply {
  type: typeof METRICS_REPLY;
  id: number;
  text?: string;
  error?: string;
}

const isMessage = <T extends { type: string }>(m: unknown, type: T['type']): m is T =>
  typeof m === 'object' && m !== null && (m as { type?: unknown }).type === type;

/** A worker that dies sooner than this after its start counts as a crash loop. */
const QUICK_DEATH_MS = 5000;

/**
 * Runs the primary: resolves with the exit code once every worker is gone after a signal, or
 * with 1 when workers keep dying at start (a bad config: each worker says why).
 */
export function runPrimary(workers: number, logger: Logger): Promise<number> {
  const aggregator = new AggregatorRegistry();
  let stopping = false;
  let quickDeaths = 0;
  const started = new Map<Worker, number>();

  const fork = (): void => {
    const worker = cluster.fork();
    started.set(worker, Date.now());
  };

  cluster.on('message', (worker, message: unknown) => {
    if (!isMessage<MetricsRequest>(message, METRICS_REQUEST)) return;
    const reply = (fields: Omit<MetricsReply, 'type' | 'id'>): void => {
      if (worker.isConnected()) worker.send({ type: METRICS_REPLY, id: message.id, ...fields });
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (err: unknown) => reply({ error: err instanceof Error ? err.message : String(err) }),
    );
  });

  return new Promise<number>((resolve) => {
    cluster.on('exit', (worker, code, signal) => {
      const lived = Date.now() - (started.get(worker) ?? 0);
      started.delete(worker);
      if (stopping) {
        if (started.size === 0) resolve(0);
        return;
      }
      logger.warn({ pid: worker.process.pid, code, signal }, 'worker exited');
      quickDeaths = lived < QUICK_DEATH_MS ? quickDeaths + 1 : 0;
      if (quickDeaths >= workers * 2) {
        logger.error('workers keep exiting at start; stopping');
        stopping = true;
        for (const w of started.keys()) w.process.kill('SIGTERM');
        if (started.size === 0) resolve(1);
        return;
      }
      fork();
    });
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal, workers: started.size }, 'stopping workers');
      // Each worker drains on its own SIGTERM, within its --shutdown-timeout.
      for (const worker of started.keys()) worker.process.kill('SIGTERM');
      if (started.size === 0) resolve(0);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    // Renewed TLS files: every worker reloads them.
    process.on('SIGHUP', () => {
      for (const worker of started.keys()) worker.process.kill('SIGHUP');
    });
    for (let i = 0; i < workers; i++) fork();
    logger.info({ workers }, 'hubcast primary started its workers');
  });
}

/**
 * In a worker: lets the primary collect `registry`, and answers `/metrics` with the sum of all
 * workers (returns the function the node's metrics use for their text).
 */
export function workerMetrics(registry: Registry): () => Promise<string> {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one is what makes prom-client answer the primary's collection in a worker.
  new AggregatorRegistry();
  let nextId = 1;
  const waiting = new Map<number, (reply: MetricsReply) => void>();
  process.on('message', (message: unknown) => {
    if (!isMessage<MetricsReply>(message, METRICS_REPLY)) return;
    waiting.get(message.id)?.(message);
    waiting.delete(message.id);
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error('the primary did not answer with the metrics'));
      }, 6000);
      waiting.set(id, (reply) => {
        clearTimeout(timer);
        if (reply.text !== undefined) resolve(reply.text);
        else reject(new Error(reply.error ?? 'no metrics'));
      });
      process.send?.({ type: METRICS_REQUEST, id } satisfies MetricsRequest);
    });
}
