/**
 * What the Web Push tests share: a VAPID key pair, a node with Web Push on (insecure mode, so
 * pushes may go to the local push endpoint), raw `push.*` rpc calls, waiting for a user to be
 * offline on a node, and `usePushWorld`: a push endpoint, a store and a node on one movable clock,
 * fresh for each test.
 */
import type { ServerMessage } from '@hubcast/protocol';
import { afterEach, beforeEach } from 'vitest';
import webpush from 'web-push';
import type { ConfigInput } from '../../src/index.js';
import type { NodeDeps } from '../../src/node.js';
import type { PushDeps } from '../../src/services/push/push-service.js';
import { MemoryStore } from '../../src/store/memory.js';
import {
  startPushEndpoint,
  testSubscription,
  type PushEndpoint,
  type TestSubscription,
} from './push-endpoint.js';
import { startTestNode, type TestNode } from './test-node.js';
import {
  connectClient,
  httpRequest,
  terminateAllClients,
  type ConnectedClient,
} from './ws-client.js';

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

/** What a Web Push test drives, set up afresh before each test by `usePushWorld`. */
export class PushWorld {
  endpoint!: PushEndpoint;
  store!: MemoryStore;
  node!: TestNode;
  /** The clock of the store and of the push sender: a test moves it instead of sleeping. */
  nowMs = 0;

  /**
   * Registers a device for `user` (named `name` at the endpoint), lets `setUp` run on that
   * connection, then closes it and waits until the node no longer counts it, unless `stayOnline`.
   */
  async device(
    user: string,
    name: string,
    {
      org = 'acme',
      stayOnline = false,
      setUp = () => Promise.resolve(),
    }: {
      org?: string;
      stayOnline?: boolean;
      setUp?: (client: ConnectedClient) => Promise<unknown>;
    } = {},
  ): Promise<TestSubscription> {
    const sub = testSubscription(this.endpoint.url(name));
    const client = await connectClient(this.node, { sub: user, org });
    await rpcResult(client, 'push.register', { subscription: sub.subscription, device: name });
    await setUp(client);
    if (!stayOnline) {
      const before = (await httpRequest(this.node, 'GET', `/api/stats?org=${org}`)).body as {
        connections: number;
      };
      client.close();
      await client.waitClosed();
      await untilConnections(this.node, org, before.connections - 1);
    }
    return sub;
  }
}

/**
 * Before each test of the file: a local push endpoint, a memory store and a push node, their
 * clock at `startAt` (ISO 8601) and the push sender polling every 20 ms, so a retry or a
 * quiet-hours end is sent soon after the clock moves; `push` adds to the sender's deps. After
 * each: clients, node and endpoint stopped.
 */
export function usePushWorld(startAt: string, push: PushDeps = {}): PushWorld {
  const world = new PushWorld();
  beforeEach(async () => {
    world.endpoint = await startPushEndpoint(VAPID);
    world.nowMs = Date.parse(startAt);
    world.store = new MemoryStore({ now: () => world.nowMs });
    world.node = await startPushNode(
      {},
      { store: world.store, push: { now: () => world.nowMs, pollMs: 20, ...push } },
    );
  });
  afterEach(async () => {
    terminateAllClients();
    await world.node.stop();
    await world.endpoint.stop();
  });
  return world;
}
