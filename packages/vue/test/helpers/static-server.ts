/**
 * A tiny static server for the browser tests: the page, and the ES modules it imports through
 * its import map, straight from the packages' `dist` and `node_modules` (no bundler). Each
 * URL prefix maps to one directory, and a path that leaves its directory is a 404. Routes may
 * also answer JSON (the app's own REST endpoint for snapshots).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
};

export interface StaticServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** How many times each JSON route was asked. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

export interface StaticServerOptions {
  /** URL prefix (`/vue/`) to directory. */
  mounts: Record<string, string>;
  /** Exact path to a function answering its JSON body. */
  json?: Record<string, () => unknown>;
}

export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = options.json?.[path];
    if (route !== undefined) {
      hits.set(path, (hits.get(path) ?? 0) + 1);
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(route()));
      return;
    }
    if (path === '/favicon.ico') {
      res.writeHead(204).end(); // browsers ask for it; a 404 would read as a page error
      return;
    }
    const file = resolveFile(options.mounts, path);
    if (file === undefined) {
      res.writeHead(404).end();
      return;
    }
    readFile(file).then(
      (body) => {
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        res.end(body);
      },
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    origin: `http://127.0.0.1:${address.port}`,
    hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The file a URL path names under its mount, or `undefined` when none or outside it. */
export function resolveFile(mounts: Record<string, string>, path: string): string | undefined {
  for (const [prefix, dir] of Object.entries(mounts)) {
    if (!path.startsWith(prefix)) continue;
    const rest = decodeURIComponent(path.slice(prefix.length)) || 'index.html';
    const root = normalize(dir + sep);
    const file = normalize(join(root, rest));
    return file.startsWith(root) ? file : undefined;
  }
  return undefined;
}
