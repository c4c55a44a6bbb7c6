/**
 * Starts a real hubcast node in this process on 127.0.0.1 and a free port, with a known secret
 * and admin key, for end-to-end tests. `stop()` closes it; call it in afterEach/afterAll.
 */
import { SignJWT } from 'jose';
import { createNode, loadConfig, type ConfigInput, type HubcastNode } from '../../src/index.js';
import type { NodeDeps } from '../../src/node.js';

export const TEST_SECRET = 'test-secret-0123456789-abcdefghijklmnop';
export const TEST_ADMIN_KEY = 'test-admin-key';

export interface TokenClaims {
  sub: string;
  org: string;
  subscribe?: string[];
  publish?: string[];
  info?: unknown;
  /** Seconds from now until `exp` (default 3600); negative makes an expired token. */
  ttlSeconds?: number;
  /** Extra claims, e.g. `aud`, `iss`. */
  extra?: Record<string, unknown>;
}

export interface TestNode {
  node: HubcastNode;
  /** `ws://127.0.0.1:PORT/ws` */
  wsUrl: string;
  /** `http://127.0.0.1:PORT` */
  httpUrl: string;
  adminKey: string;
  secret: string;
  token(claims: TokenClaims): Promise<string>;
  stop(): Promise<void>;
}

export async function signTestToken(claims: TokenClaims, secret = TEST_SECRET): Promise<string> {
  const { sub, org, ttlSeconds = 3600, extra = {}, ...rest } = claims;
  const payload: Record<string, unknown> = { org, ...extra };
  for (const [k, v] of Object.entries(rest)) if (v !== undefined) payload[k] = v;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(new TextEncoder().encode(secret));
}

export async function startTestNode(
  overrides: ConfigInput = {},
  deps: NodeDeps = {},
): Promise<TestNode> {
  const config = loadConfig({
    file: {
      host: '127.0.0.1',
      port: 0,
      jwtSecret: TEST_SECRET,
      apiKey: TEST_ADMIN_KEY,
      logLevel: 'silent',
      // Most tests are about the protocol, not the disk; the SQLite log has its own suites.
      // The Redis engine keeps its log in Redis, and refuses a `log` key.
      ...(overrides.engine === 'redis' ? {} : { log: 'memory' }),
      store: 'memory',
      ...overrides,
    },
    env: {},
  });
  const node = createNode(config, deps);
  await node.start();
  const port = node.address().port;
  return {
    node,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    httpUrl: `http://127.0.0.1:${port}`,
    adminKey: TEST_ADMIN_KEY,
    secret: TEST_SECRET,
    token: (claims) => signTestToken(claims, config.jwtSecret ?? TEST_SECRET),
    stop: () => node.stop(),
  };
}
