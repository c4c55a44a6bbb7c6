/**
 * An append whose fan-out comes after a replay that already sent it (a log whose `append`
 * resolves a while after the commit, as PostgreSQL's does): the connection gets each event
 * once. The run written straight to the socket must skip what the replay sent, as queued
 * events do.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppendInput, AppendResult } from '../../src/log/log.js';
import { MemoryEventLog } from '../../src/log/memory.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';
import { connectClient, httpRequest } from '../helpers/ws-client.js';

/** A memory log whose appends, while a gate is set, commit and then wait for it. */
class GatedLog extends MemoryEventLog {
  gate: Promise<void> | undefined;
  onCommitted: () => void = () => {};

  override async append(org: string, items: readonly AppendInput[]): Promise<AppendResult[]> {
    const results = await super.append(org, items);
    if (this.gate !== undefined) {
      this.onCommitted();
      await this.gate;
    }
    return results;
  }
}

const log = new GatedLog({ historySize: 1000, historyTtlSeconds: 3600 });
let t: TestNode;
beforeAll(async () => {
  t = await startTestNode({}, { log });
});
afterAll(() => t.stop());

it('delivers an array once when a resume replayed it before its fan-out', async () => {
  const c = await connectClient(t, { sub: 'bob', org: 'acme' });
  const subscribed = await c.request({ type: 'subscribe', channel: 'room.a' });
  const cursor = (subscribed as { cursor: string }).cursor;

  let release: () => void = () => {};
  log.gate = new Promise<void>((resolve) => (release = resolve));
  const committed = new Promise<void>((resolve) => (log.onCommitted = resolve));
  const posted = httpRequest(t, 'POST', '/api/publish', {
    json: [0, 1, 2].map((i) => ({ org: 'acme', channel: 'room.a', data: i })),
  });
  await committed;
  // The same subscription again, from before the array: its replay sends the three events
  // and the subscription goes live past them.
  expect(await c.request({ type: 'subscribe', channel: 'room.a', cursor })).toMatchObject({
    type: 'subscribed',
    resumed: true,
  });
  log.gate = undefined;
  release();
  expect((await posted).status).toBe(200);
  await c.quiet(); // a ping round trip: the fan-out's writes, if any, came before its pong
  const data = c.messages.flatMap((m) => (m.type === 'event' ? [m.data] : []));
  expect(data).toEqual([0, 1, 2]);
});
