/**
 * The demo's small HTTP API, mounted on the Vite dev server under `/demo/`: the inventory
 * snapshot, the simulator's rate, one-row updates, notifications, workflow runs and the
 * tokens of the demo's other users (`?user=alice` in the page's address). Bodies
 * are small JSON; anything else is a 400 naming the bad field.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isValidSegment } from '@hubcast/protocol';
import type { Plugin } from 'vite';
import type { DevNode } from './dev-node.js';
import { DEV_USER, Simulator } from './simulator.js';
import { DEMO_USERS, demoToken, isDemoUser } from './users.js';

const MAX_BODY_BYTES = 4096;

class BadRequest extends Error {}

/** The Vite plugin: starts the simulator on `node`, serves `/demo/*`, stops both on close. */
export function demoApi(node: DevNode, rate: number): Plugin {
  return {
    name: 'hubcast-demo-api',
    configureServer(server) {
      const simulator = new Simulator(node.url, node.apiKey, rate);
      server.middlewares.use((req, res, next) => {
        if (!(req.url ?? '').startsWith('/demo/')) return next();
        handle(simulator, node, req, res).catch((err: unknown) => {
          const status = err instanceof BadRequest || err instanceof RangeError ? 400 : 502;
          sendJson(res, status, { error: { message: (err as Error).message } });
        });
      });
      server.httpServer?.once('close', () => {
        simulator.stop();
        void node.stop();
      });
    },
  };
}

async function handle(
  sim: Simulator,
  node: DevNode,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  // A JSON content type makes a cross-site form or fetch need a CORS preflight, which this
  // server never grants: another site open in the browser cannot drive the demo.
  if (method !== 'GET' && !(req.headers['content-type'] ?? '').startsWith('application/json'))
    return sendJson(res, 415, { error: { message: "'content-type' must be application/json" } });
  if (method === 'GET' && path === '/demo/token') {
    const user = url.searchParams.get('user');
    if (!isDemoUser(user))
      throw new BadRequest(`'user' must be one of the demo's users: ${DEMO_USERS.join(', ')}`);
    return sendJson(res, 200, { user, token: await demoToken(node.jwtSecret, user) });
  }
  if (method === 'GET' && path === '/demo/inventory')
    return sendJson(res, 200, [...sim.rows.values()]);
  if (path === '/demo/simulator') {
    if (method === 'POST') sim.setRate(numberField(await readJson(req), 'rate'));
    return sendJson(res, 200, { rate: sim.updatesPerSecond });
  }
  const row = /^\/demo\/rows\/([^/]+)$/.exec(path);
  if (method === 'POST' && row !== null) {
    const qty = numberField(await readJson(req), 'qty');
    return sendJson(res, 200, await sim.update(decodeURIComponent(row[1] ?? ''), qty));
  }
  if (method === 'POST' && path === '/demo/notify') {
    const body = await readJson(req);
    const title = typeof body['title'] === 'string' ? body['title'].slice(0, 200) : 'Hello';
    const user = body['user'] ?? DEV_USER;
    if (!isDemoUser(user))
      throw new BadRequest(`'user' must be one of the demo's users: ${DEMO_USERS.join(', ')}`);
    await sim.notify(user, title);
    return sendJson(res, 200, { ok: true });
  }
  const run = /^\/demo\/workflows\/([^/]+)$/.exec(path);
  if (method === 'POST' && run !== null) {
    const id = decodeURIComponent(run[1] ?? '');
    if (!isValidSegment(id)) throw new BadRequest("'id' must be one channel segment");
    if (!sim.startWorkflow(id)) return sendJson(res, 429, { error: { message: 'too many runs' } });
    return sendJson(res, 202, { id });
  }
  sendJson(res, 404, { error: { message: `no route ${method} ${path}` } });
}

function numberField(body: Record<string, unknown>, field: string): number {
  const value = body[field];
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw new BadRequest(`'${field}' must be an integer`);
  return value;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BadRequest(`body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new BadRequest('body must be JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new BadRequest('body must be a JSON object');
  return body as Record<string, unknown>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
