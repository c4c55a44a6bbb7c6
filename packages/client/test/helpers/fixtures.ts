/** A hubcast node plus clients for one test, torn down together. */
import WebSocket from 'ws';
import {
  startTestNode,
  type TestNode,
  type TokenClaims,
} from '../../../server/test/helpers/test-node.js';
import { HubcastClient, ServerClient, type ClientOptions } from '../../src/index.js';

export const ORG = 'acme';

/** Fast backoff so reconnect tests take milliseconds, not seconds. */
export const FAST_BACKOFF = { minReconnectDelayMs: 20, maxReconnectDelayMs: 200 } as const;

export interface Fixture {
  tn: TestNode;
  api: ServerClient;
  /** A connected-on-demand client for `sub` (publish grant `>` unless claims say otherwise). */
  client(
    sub: string,
    options?: Partial<ClientOptions>,
    claims?: Partial<TokenClaims>,
  ): Promise<HubcastClient>;
  token(sub: string, claims?: Partial<TokenClaims>): Promise<string>;
  /** Disconnects every client, stops the node. */
  close(): Promise<void>;
}

export async function startFixture(
  overrides: Parameters<typeof startTestNode>[0] = {},
): Promise<Fixture> {
  const tn = await startTestNode(overrides);
  const clients: HubcastClient[] = [];
  const token = (sub: string, claims: Partial<TokenClaims> = {}): Promise<string> =>
    tn.token({ sub, org: ORG, publish: ['>'], ...claims });
  return {
    tn,
    api: new ServerClient({ url: tn.httpUrl, apiKey: tn.adminKey, org: ORG }),
    token,
    async client(sub, options = {}, claims = {}) {
      const c = new HubcastClient({
        url: tn.wsUrl,
        token: await token(sub, claims),
        WebSocket,
        ...FAST_BACKOFF,
        ...options,
      });
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.disconnect();
      await tn.stop();
    },
  };
}
