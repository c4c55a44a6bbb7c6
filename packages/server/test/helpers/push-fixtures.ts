/**
 * What the Web Push tests share: a VAPID key pair, a node with Web Push on (insecure mode, so
 * pushes may go to the local push endpoint), raw `push.*` rpc calls, and waiting for a user to
 * be offline on a node.
 */
import type { ServerMessage } from '@hubcast/protocol';
import webpush from 'web-push';
import type { ConfigInput } from '../../src/index.js';
import type { NodeDeps } from '../../src/node.js';
import { startTestNode, type TestNode } from './test-node.js';
import { httpRequest, type ConnectedClient } from './ws-client.js';

export const VAPID = { ...webpush.generateVAPIDKeys(), subject: 'mailto:ops@hubcast.test' };

export const pushConfig: ConfigInput = {
  vapidPublicKey: VAPID.publicKey,
  vapidPrivateKey: VAPID.privateKey,
  vapidSubject: VAPID.subject,
  pushAllowInsecure: true,
};

export function startPushNode(overrides: ConfigInput = {}, deps: NodeDeps = {}): Promise<TestNode> {
  return startTestNode({ ...pushConfig, ...overrides }, deps);
}

let rpcId = 1000;
/** An `rpc` over raw frames; answers the whole reply (`result` or `error`). */
export function rpcReply(
  client: ConnectedClient,
  method: string,
  params?: unknown,
): Promise<ServerMessage> {
  return client.request({
    type: 'rpc',
    id: ++rpcId,
    method,
    ...(params === undefined ? {} : { params }),
  });
}

/** The `result` of an rpc that must succeed. */
export async function rpcResult(
  client: ConnectedClient,
  method: string,
  params?: unknown,
): Promise<unknown> {
  const reply = await rpcReply(client, method, params);
  if (reply.type !== 'result') throw new Error(`${method} answered ${JSON.stringify(reply)}`);
  return reply.result;
}

/**
 * Waits until the node counts `org`'s live connections down to `count` (a closed client's
 * session ends on the server a moment after the client sees the close).
 */
export async function untilConnections(node: TestNode, org: string, count: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const res = await httpRequest(node, 'GET', `/api/stats?org=${org}`);
    if ((res.body as { connections: number }).connections === count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`org ${org} never reached ${count} connections`);
}

/** Polls `check` until it holds (for state a test cannot await an event for). */
export async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}
