/**
 * Serves the dev web page (`--dev` only): `/` and its assets from `packages/server/web`, the
 * SDK as browser ES modules from the client and protocol packages' `dist`, and `/dev.json`
 * with the dev token so the page connects on its own. Nothing here runs outside `--dev`.
 */
import { readFileSync, existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DevPageInfo {
  token: string;
  org: string;
  user: string;
  apiKey: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * The `dist` folder of a workspace package, found through its main entry (`dist/index.js`):
 * its `exports` map hides `package.json`, so resolving that throws ERR_PACKAGE_PATH_NOT_EXPORTED.
 */
function packageDist(name: string): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return dirname(require.resolve(name));
  } catch {
    return undefined;
  }
}

function decodePath(url: string | undefined): string | undefined {
  try {
    return decodeURIComponent(new URL(url ?? '/', 'http://x').pathname);
  } catch {
    return undefined;
  }
}

export function createDevPageHandler(
  info: DevPageInfo,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const webRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');
  const roots: [string, string | undefined][] = [
    ['/sdk/client/', packageDist('@hubcast/client')],
    ['/sdk/protocol/', packageDist('@hubcast/protocol')],
    ['/', webRoot],
  ];
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = decodePath(req.url);
    if (path === undefined) return false;
    if (path === '/dev.json') {
      const body = JSON.stringify(info);
      res.writeHead(200, { 'content-type': TYPES['.json'] as string, 'cache-control': 'no-store' });
      res.end(body);
      return true;
    }
    for (const [prefix, root] of roots) {
      if (!path.startsWith(prefix) || root === undefined) continue;
      const rel = path === '/' ? 'index.html' : path.slice(prefix.length);
      const file = normalize(join(root, rel));
      if (!file.startsWith(root + sep) || !existsSync(file)) continue;
      const ext = file.slice(file.lastIndexOf('.'));
      const type = TYPES[ext];
      if (type === undefined) continue;
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
      return true;
    }
    return false;
  };
}
