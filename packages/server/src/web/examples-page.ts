/**
 * Serves the runnable examples of a checkout (`--dev` only, like the dev page): the WebRTC call
 * page at `/examples/webrtc` from the repository's `examples/webrtc`, and
 * `/examples/webrtc/token?user=NAME`, a token for any user of the dev tenant, so two tabs can
 * be two users. The SDK modules it imports are the dev page's `/sdk/...` (web/dev-page.ts).
 * An installed package has no `examples` folder: then every path here is left to the API (404).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isValidSegment } from '@hubcast/protocol';
import { signToken } from '../cli/sign-token.js';

export interface ExamplesInfo {
  /** The dev JWT secret the node verifies tokens with. */
  jwtSecret: string;
  org: string;
}

const PREFIX = '/examples/webrtc';
const TOKEN_TTL_SECONDS = 3600;
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** `examples/webrtc` of the checkout: from `packages/server/{src,dist}/web` four levels up. */
export function webrtcExampleRoot(): string {
  return join(
    dirname(fileURLToPath(import.meta.url)),
    '..',
    '..',
    '..',
    '..',
    'examples',
    'webrtc',
  );
}

export function createExamplesHandler(
  info: ExamplesInfo,
  root = webrtcExampleRoot(),
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://x');
    } catch {
      return false;
    }
    const path = url.pathname;
    if (path !== PREFIX && !path.startsWith(`${PREFIX}/`)) return false;
    if (path === `${PREFIX}/token`) {
      const user = url.searchParams.get('user');
      if (user === null || !isValidSegment(user)) {
        sendJson(res, 400, {
          error: { code: 'bad_request', message: "'user' must be one channel segment" },
        });
        return true;
      }
      // Own personal channels need no grant: the token grants nothing else.
      signToken(info.jwtSecret, {
        user,
        org: info.org,
        subscribe: [],
        publish: [],
        info: { name: user },
        ttlSeconds: TOKEN_TTL_SECONDS,
      }).then(
        (token) => sendJson(res, 200, { token, user, org: info.org }),
        () => sendJson(res, 500, { error: { code: 'internal', message: 'cannot sign a token' } }),
      );
      return true;
    }
    const rel =
      path === PREFIX || path === `${PREFIX}/` ? 'index.html' : path.slice(PREFIX.length + 1);
    const file = normalize(join(root, rel));
    if (!file.startsWith(root + sep) || !existsSync(file)) return false;
    const type = TYPES[file.slice(file.lastIndexOf('.'))];
    if (type === undefined) return false;
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
    return true;
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(JSON.stringify(body));
}
