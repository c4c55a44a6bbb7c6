/**
 * The REST server of the `polling` scenario (issue 13), run as its own process so its CPU is
 * measured apart: `node:http` and a `pg` pool, what a small inventory backend is. Clients poll
 * `GET /items?since=<version>` and get the rows changed after that version, from an indexed
 * query on `items.version` (the honest best case for polling: no full table read, no cache
 * that would need change notification, i.e. push). `GET /stats` answers the requests and
 * queries it served and its CPU, and is not counted. Started by rest-process.ts over IPC.
 */
import { createServer, type ServerResponse } from 'node:http';
import pg from 'pg';
import {
  REST_SETTINGS_ENV,
  type RestMessage,
  type RestSettings,
  type RestStats,
} from './rest-protocol.js';

const ITEMS_SINCE = {
  // A named statement: parsed and planned once per pool connection, as an app's ORM does.
  name: 'items-since',
  text: 'SELECT id, qty, version FROM items WHERE version > $1 ORDER BY version',
};

interface ItemRow {
  id: number;
  qty: number;
  version: string;
}

function main(): void {
  const raw = process.env[REST_SETTINGS_ENV];
  if (raw === undefined) throw new Error(`${REST_SETTINGS_ENV} is not set`);
  const settings = JSON.parse(raw) as RestSettings;
  const pool = new pg.Pool({ connectionString: settings.pgUrl, max: settings.poolSize });
  const stats: RestStats = { requests: 0, queries: 0, errors: 0, cpuMicros: 0 };

  const send = (res: ServerResponse, status: number, body: string): void => {
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  };

  const items = async (res: ServerResponse, url: URL): Promise<void> => {
    stats.requests++;
    const since = Number(url.searchParams.get('since') ?? '0');
    if (!Number.isSafeInteger(since) || since < 0)
      return send(res, 400, '{"error":"since must be a version (an integer >= 0)"}');
    stats.queries++;
    const result = await pool.query<ItemRow>({ ...ITEMS_SINCE, values: [since] });
    const rows = result.rows;
    const version = rows.length > 0 ? Number(rows[rows.length - 1]?.version) : since;
    const list = rows.map((r) => `{"id":${r.id},"qty":${r.qty},"v":${Number(r.version)}}`);
    send(res, 200, `{"version":${version},"items":[${list.join(',')}]}`);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://rest');
    if (req.method === 'GET' && url.pathname === '/items') {
      items(res, url).catch((err: unknown) => {
        stats.errors++;
        send(res, 500, JSON.stringify({ error: (err as Error).message }));
      });
    } else if (req.method === 'GET' && url.pathname === '/stats') {
      const { user, system } = process.cpuUsage();
      send(res, 200, JSON.stringify({ ...stats, cpuMicros: user + system }));
    } else send(res, 404, '{"error":"not found"}');
  });
  // Browsers keep a connection to the API open between polls; Node's 5 s default would end it
  // just as the next poll comes, so every poll would open a new one.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.listen(0, settings.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    process.send?.({ type: 'ready', port } satisfies RestMessage);
  });
  process.on('message', (msg: RestMessage) => {
    if (msg.type !== 'stop') return;
    server.closeAllConnections();
    server.close();
    void pool.end().finally(() => process.exit(0));
  });
  // The generator's IPC channel closing means it is gone: do not outlive it.
  process.on('disconnect', () => process.exit(0));
}

try {
  main();
} catch (err) {
  process.send?.({ type: 'failed', message: (err as Error).message } satisfies RestMessage);
  process.exit(1);
}
