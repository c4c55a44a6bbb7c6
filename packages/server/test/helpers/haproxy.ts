/**
 * A real HAProxy in front of two nodes, running the shipped `deploy/haproxy.cfg` itself: the
 * file takes its nodes and ports from the environment, so nothing is copied or rewritten, and
 * the test exercises the checks, timeouts, retries and balancing a deployment gets. The
 * process runs in the foreground (`-db`) on free loopback ports and is stopped by `stop()`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';

export const HAPROXY_CFG = fileURLToPath(
  new URL('../../../../deploy/haproxy.cfg', import.meta.url),
);

/** One server row of the stats CSV (HAProxy management guide §9.1). */
export interface ServerRow {
  /** `UP`, `DOWN`, or a transition such as `UP 1/2`. */
  status: string;
  /** `L7OK`, `L7STS` (a wrong HTTP status), `L4CON` (connection refused), ... */
  checkStatus: string;
  /** The HTTP status of the last check, when it got one. */
  checkCode: string;
  /** Connections HAProxy holds to this node now. */
  current: number;
  /** Connections HAProxy sent to this node so far. */
  total: number;
}

export interface Haproxy {
  readonly port: number;
  /** `http://127.0.0.1:PORT`: the HTTP API through the balancer. */
  readonly httpUrl: string;
  /** `ws://127.0.0.1:PORT/ws`. */
  readonly wsUrl: string;
  /** Everything HAProxy wrote so far (its log goes to stdout). */
  output(): string;
  /** Resolves with the first line matching `pattern` written at or after offset `since`. */
  untilLogged(pattern: RegExp, since: number, timeoutMs?: number): Promise<string>;
  /** The nodes' rows of the stats page, by server name (`node1`, `node2`). */
  servers(): Promise<Map<string, ServerRow>>;
  isAlive(): boolean;
  /** SIGTERM (HAProxy's hard stop); resolves with the exit code. Safe to call twice. */
  stop(): Promise<number | null>;
}

/** Debian's path first, as `scripts/ensure-test-deps.sh` installs it; `HUBCAST_HAPROXY` overrides. */
function haproxyBinary(): string {
  const override = process.env['HUBCAST_HAPROXY'];
  if (override !== undefined) return override;
  return existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : 'haproxy';
}

/**
 * Starts HAProxy with `node1` and `node2` (`host:port`) as its servers; resolves once both
 * passed a health check, so a test starts from the state a running deployment is in.
 */
export async function startHaproxy(nodes: readonly [string, string]): Promise<Haproxy> {
  const port = await freePort();
  const statsPort = await freePort();
  const child = spawn(haproxyBinary(), ['-db', '-f', HAPROXY_CFG], {
    env: {
      PATH: process.env['PATH'] ?? '',
      HUBCAST_LB_BIND: `127.0.0.1:${port}`,
      HUBCAST_LB_STATS_PORT: String(statsPort),
      HUBCAST_NODE1: nodes[0],
      HUBCAST_NODE2: nodes[1],
      // The suite may run unprivileged, where switching to the haproxy user fails.
      HUBCAST_LB_KEEP_USER: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const onOutput = new Set<() => void>();
  const collect = (chunk: Buffer): void => {
    out += chunk.toString();
    for (const check of [...onOutput]) check();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let alive = true;
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      alive = false;
      process.off('exit', killOnExit);
      resolve(code);
    }),
  );
  const statsUrl = `http://127.0.0.1:${statsPort}/stats;csv`;

  const servers = async (): Promise<Map<string, ServerRow>> => {
    const res = await fetch(statsUrl);
    if (res.status !== 200) throw new Error(`haproxy stats answered ${res.status}`);
    return parseServerRows(await res.text());
  };

  const untilLogged = (pattern: RegExp, since: number, timeoutMs = 10_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const line = out
          .slice(since)
          .split('\n')
          .find((l) => pattern.test(l));
        if (line === undefined) return;
        clearTimeout(timer);
        onOutput.delete(check);
        resolve(line);
      };
      const timer = setTimeout(() => {
        onOutput.delete(check);
        reject(new Error(`haproxy logged no ${pattern} in ${timeoutMs} ms:\n${out.slice(since)}`));
      }, timeoutMs);
      onOutput.add(check);
      check();
    });

  try {
    await untilBothChecked(servers, exited, () => out);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    port,
    httpUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    output: () => out,
    untilLogged,
    servers,
    isAlive: () => alive,
    async stop() {
      if (alive) child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * Polls the stats page until both nodes passed a check: HAProxy announces a healthy server
 * only when it changes state, and nodes that were up before HAProxy never do.
 */
async function untilBothChecked(
  servers: () => Promise<Map<string, ServerRow>>,
  exited: Promise<number | null>,
  output: () => string,
): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (gone) throw new Error(`haproxy exited at start:\n${output()}`);
    const rows = await servers().catch(() => undefined);
    if (rows !== undefined && [...rows.values()].every((r) => r.checkStatus === 'L7OK')) return;
    if (Date.now() > deadline) throw new Error(`haproxy's nodes never became ready:\n${output()}`);
    // Only the stats page says when the first check passed; 25 ms between looks.
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The `hubcast_nodes` server rows of a stats CSV, keyed by server name. */
export function parseServerRows(csv: string): Map<string, ServerRow> {
  const [header, ...lines] = csv.trim().split('\n');
  const columns = (header ?? '').replace(/^# /, '').split(',');
  const at = (cells: string[], name: string): string => cells[columns.indexOf(name)] ?? '';
  const rows = new Map<string, ServerRow>();
  for (const line of lines) {
    const cells = line.split(',');
    const server = at(cells, 'svname');
    if (at(cells, 'pxname') !== 'hubcast_nodes' || server === 'BACKEND') continue;
    rows.set(server, {
      status: at(cells, 'status'),
      checkStatus: at(cells, 'check_status'),
      checkCode: at(cells, 'check_code'),
      current: Number(at(cells, 'scur')),
      total: Number(at(cells, 'stot')),
    });
  }
  return rows;
}
