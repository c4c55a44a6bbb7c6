/**
 * A static site for the shared-connection browser tests: the client and protocol `dist` served
 * as plain ES modules under an import map (no bundler), a `/token` route, and a page whose
 * script is driven from the test through `window.tab`. It runs `connectShared` with the mode,
 * node url, user (default u1) and patterns taken from the query string.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const packages = join(here, '..', '..', '..');
const CLIENT_DIST = join(packages, 'client', 'dist');
const PROTOCOL_DIST = join(packages, 'protocol', 'dist');

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>shared tab</title>
<link rel="icon" href="data:,">
<script type="importmap">
{ "imports": {
  "@hubcast/client": "/sdk/client/index.js",
  "@hubcast/protocol": "/sdk/protocol/index.js"
} }
</script>
<script type="module" src="/tab.js"></script>`;

/** The page's script: every event's \`data.n\` goes into \`window.tab.seen[pattern]\`. */
const TAB_SCRIPT = `
import { connectShared } from '@hubcast/client';
const q = new URLSearchParams(location.search);
const user = q.get('user') ?? 'u1';
const handle = connectShared({
  url: q.get('ws'),
  user,
  getToken: () =>
    fetch('/token?' + new URLSearchParams({ ttl: q.get('ttl') ?? '3600', user })).then((r) => r.text()),
  ...(q.has('margin') ? { refreshMarginSeconds: Number(q.get('margin')) } : {}),
  mode: q.get('mode') ?? 'auto',
  ...(q.has('worker') ? { workerUrl: q.get('worker') } : {}),
  minReconnectDelayMs: 20,
  maxReconnectDelayMs: 200,
});
const conn = handle.connection;
const subs = new Map();
const tab = (window.tab = { mode: () => handle.mode, seen: {}, states: [], errors: [], handle, conn });
conn.on('state', (c) => tab.states.push(c.to));
tab.refreshed = 0;
conn.on('refreshed', () => tab.refreshed++);
conn.on('error', ({ error }) => tab.errors.push(error.code + ': ' + error.message));
tab.subscribe = (pattern) => {
  tab.seen[pattern] ??= [];
  const sub = conn.subscribe(pattern, (e) => tab.seen[pattern].push(e.data.n));
  subs.set(pattern, sub);
  return sub.ready();
};
tab.unsubscribe = (pattern) => subs.get(pattern)?.unsubscribe();
tab.leader = () => handle.leader;
tab.leave = () => handle.close();
tab.startInbox = () => conn.notifications.start();
tab.unread = () => conn.notifications.unread;
tab.markAllRead = () => conn.notifications.markAllRead();
const subscribed = q.getAll('sub').map((pattern) => tab.subscribe(pattern));
tab.ready = conn.connect().then(() => Promise.all(subscribed)).then(() => true);
`;

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

export interface TabsSite {
  url: string;
  /** How many tokens the pages fetched (only tabs fetch them: the hub asks a tab). */
  readonly tokensServed: number;
  close(): Promise<void>;
}

/** Runs the client's build step that makes `dist/worker/` (the worker needs no import map). */
export function vendorWorker(): void {
  execFileSync(process.execPath, [join(packages, 'client', 'scripts', 'vendor-worker.mjs')]);
}

export async function startTabsSite(
  token: (ttlSeconds: number, user: string) => Promise<string>,
): Promise<TabsSite> {
  let tokens = 0;
  const roots: [string, string][] = [
    ['/sdk/client/', CLIENT_DIST],
    ['/sdk/protocol/', PROTOCOL_DIST],
  ];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const send = (status: number, type: string, body: string | Buffer): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (path === '/') return send(200, 'text/html; charset=utf-8', PAGE);
    if (path === '/tab.js') return send(200, TYPES['.js']!, TAB_SCRIPT);
    if (path === '/token') {
      tokens++;
      const query = new URL(req.url ?? '/', 'http://x').searchParams;
      const ttl = Number(query.get('ttl') ?? 3600);
      token(ttl, query.get('user') ?? 'u1').then(
        (t) => send(200, 'text/plain', t),
        () => send(500, 'text/plain', 'no token'),
      );
      return;
    }
    for (const [prefix, dir] of roots) {
      if (!path.startsWith(prefix)) continue;
      const file = normalize(join(dir, path.slice(prefix.length)));
      if (!file.startsWith(dir + sep) || !existsSync(file)) break;
      const type = TYPES[file.slice(file.lastIndexOf('.'))];
      if (type === undefined) break;
      return send(200, type, readFileSync(file));
    }
    send(404, 'text/plain', 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get tokensServed() {
      return tokens;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
