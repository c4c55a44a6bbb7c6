/**
 * Serves the admin console's page (docs/admin.md): `/admin` and its scripts and styles from
 * `packages/server/web/admin`, and uPlot's browser build from its package at `/admin/uplot/`
 * (no CDN: the page loads nothing from elsewhere). The page holds no secret: it asks for the
 * admin key and sends it as the Authorization header of the API calls it makes.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Nothing but this origin's scripts, styles and API; no inline script, no frame, no form: a
 * tenant string that slipped past the page's escaping still could not run.
 */
export const ADMIN_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
  "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** uPlot's `dist` folder, holding its ESM build and CSS. */
function uplotDist(): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.esm.js'));
  } catch {
    return undefined;
  }
}

/** Every file the page may load, by URL path: a fixed list, so no path reaches the disk. */
function adminFiles(): Map<string, string> {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'admin');
  const files = new Map<string, string>([
    ['/admin', join(root, 'index.html')],
    ['/admin/', join(root, 'index.html')],
  ]);
  for (const name of ['app.js', 'charts.js', 'tables.js', 'tools.js', 'api.js', 'admin.css'])
    files.set(`/admin/${name}`, join(root, name));
  const uplot = uplotDist();
  if (uplot !== undefined) {
    files.set('/admin/uplot/uPlot.esm.js', join(uplot, 'uPlot.esm.js'));
    files.set('/admin/uplot/uPlot.min.css', join(uplot, 'uPlot.min.css'));
  }
  return files;
}

/** Answers `/admin...` requests (true) or leaves them (false). */
export function createAdminPageHandler(): (
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
) => boolean {
  const files = adminFiles();
  const cache = new Map<string, Buffer>();
  return (req, res, path) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const file = files.get(path);
    if (file === undefined) return false;
    let body = cache.get(file);
    if (body === undefined) {
      if (!existsSync(file)) return false;
      body = readFileSync(file);
      cache.set(file, body);
    }
    res.writeHead(200, {
      'content-type': TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream',
      'content-security-policy': ADMIN_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
