/**
 * Issue 10: a log that fails while a `connect` or `subscribe` reads it (a database gone away)
 * leaves no half-connected state behind: the refused connect releases its subscriptions and its
 * user slot and closes (1013, try again later); a refused subscribe leaves no subscription that
 * would go on delivering events the client was told it does not have.
 */
import { afterEach, expect, it } from 'vitest';
import { EngineUnavailableError } from '../../src/engine-error.js';
import type { EventLog, ReadRange } from '../../src/log/log.js';
import { MemoryEventLog } from '../../src/log/memory.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';
import {
  connectClient,
  openClient,
  publishHttp,
  terminateAllClients,
} from '../helpers/ws-client.js';

/** A real memory log whose reads fail while `down` is set, as a database that went away. */
class FlakyLog extends MemoryEventLog implements EventLog {
  down = false;
  private failIfDown(): void {
    if (this.down) throw new EngineUnavailableError('log', 'connection lost');
  }
  override headSeq(org: string): Promise<number> {
    this.failIfDown();
    return super.headSeq(org);
  }
  override read(org: string, range: ReadRange) {
    this.failIfDown();
    return super.read(org, range);
  }
}

let t: TestNode | undefined;
afterEach(async () => {
  terminateAllClients();
  await t?.stop();
  t = undefined;
});

const alice = { sub: 'alice', org: 'acme' };

it('closes a connect that fails on the log with unavailable and 1013, keeping nothing of it', async () => {
  const log = new FlakyLog({ historySize: 100, historyTtlSeconds: 3600 });
  const node = (t = await startTestNode({ maxConnectionsPerUser: 1 }, { log }));
  log.down = true;
  const c = await openClient(node.wsUrl);
  c.send({ type: 'connect', id: 1, token: await node.token(alice), subscriptions: ['news.>'] });
  expect(await c.reply(1)).toMatchObject({ type: 'error', id: 1, code: 'unavailable' });
  expect((await c.waitClosed()).code).toBe(1013);
  expect(await subscriptions(node)).toBe(0);

  // The user's only slot is free again, and nothing of the failed connect delivers anything.
  log.down = false;
  const again = await connectClient(node, alice, { subscriptions: ['other'] });
  await publishHttp(node, 'acme', 'news.a', 1);
  expect(await again.quiet()).toEqual([]);
  expect(await subscriptions(node)).toBe(1);
});

it('drops the subscription of a subscribe that fails on the log', async () => {
  const log = new FlakyLog({ historySize: 100, historyTtlSeconds: 3600 });
  const node = (t = await startTestNode({}, { log }));
  const c = await connectClient(node, alice);
  log.down = true;
  expect(await c.request({ type: 'subscribe', channel: 'news.>' })).toMatchObject({
    type: 'error',
    code: 'unavailable',
  });
  log.down = false;
  await publishHttp(node, 'acme', 'news.a', 1);
  expect(await c.quiet()).toEqual([]);
  expect(await subscriptions(node)).toBe(0);
  // Subscribing again works, and is not mistaken for a repeat of a live subscription.
  expect(await c.request({ type: 'subscribe', channel: 'news.>' })).toMatchObject({
    type: 'subscribed',
  });
});

async function subscriptions(node: TestNode): Promise<number> {
  const res = await fetch(`${node.httpUrl}/api/stats`, {
    headers: { authorization: `Bearer ${node.adminKey}` },
  });
  return ((await res.json()) as { subscriptions: number }).subscriptions;
}
