/**
 * Conformance: a user who comes back to a channel within the presence leave delay (PROTOCOL.md
 * §4: "a quick reconnect shows neither") causes no `leave` and no `join`, and the member list
 * counts their connections right, on the same connection or on a new one.
 *
 * "No leave came" is shown without sleeping: bob enters and leaves after alice went, so his
 * `leave` is due one delay after hers would have been; every push up to his `leave` is checked.
 */
import { describe, expect, it } from 'vitest';
import type { PresenceMember, ServerMessage } from '@hubcast/protocol';
import type { TestNode } from '../helpers/test-node.js';
import {
  asType,
  connectClient,
  httpRequest,
  useTestNodes,
  type TestClient,
} from '../helpers/ws-client.js';

const start = useTestNodes();
const DELAY_SECONDS = 0.3;

/** A `presence: true` subscriber of room.1 that has seen alice join. */
async function watchAliceJoin(node: TestNode): Promise<TestClient> {
  const watcher = await connectClient(node, { sub: 'watcher', org: 'acme' });
  await watcher.request({ type: 'subscribe', id: 1, channel: 'room.1', presence: true });
  return watcher;
}

/** Bob enters room.1 and leaves; the watcher's presence pushes up to bob's `leave`. */
async function pushesUntilBobLeaves(node: TestNode, watcher: TestClient): Promise<ServerMessage[]> {
  const bob = await connectClient(node, { sub: 'bob', org: 'acme' }, { subscriptions: ['room.1'] });
  bob.close();
  const { before, match } = await watcher.takeUntil(
    (m) => m.type === 'leave' && m.user === 'bob',
    5000,
  );
  return [...before, match].filter((m) => m.type !== 'ping');
}

async function members(watcher: TestClient): Promise<PresenceMember[]> {
  const reply = await watcher.request({ type: 'presence', channel: 'room.1' });
  return asType(reply, 'presence').members.sort((a, b) => a.user.localeCompare(b.user));
}

const BOB_CAME_AND_WENT = [
  { type: 'join', channel: 'room.1', user: 'bob' },
  { type: 'leave', channel: 'room.1', user: 'bob' },
];
const ALICE_ONCE = { user: 'alice', connections: 1, devices: [] };
const WATCHER = { user: 'watcher', connections: 1, devices: [] };

describe('coming back within the leave delay (§4)', () => {
  it('on the same connection: unsubscribe then subscribe again shows no leave, and keeps her listed', async () => {
    const node = await start({ presenceLeaveDelay: DELAY_SECONDS });
    const watcher = await watchAliceJoin(node);
    const alice = await connectClient(node, { sub: 'alice', org: 'acme' });
    await alice.request({ type: 'subscribe', channel: 'room.1' });
    expect(await watcher.next('join')).toEqual({ type: 'join', channel: 'room.1', user: 'alice' });

    await alice.request({ type: 'unsubscribe', channel: 'room.1' });
    await alice.request({ type: 'subscribe', channel: 'room.1' });
    expect(await pushesUntilBobLeaves(node, watcher)).toEqual(BOB_CAME_AND_WENT);
    expect(await members(watcher)).toEqual([ALICE_ONCE, WATCHER]);

    // Her next real departure still shows, once.
    await alice.request({ type: 'unsubscribe', channel: 'room.1' });
    expect(await watcher.next('leave', 5000)).toEqual({
      type: 'leave',
      channel: 'room.1',
      user: 'alice',
    });
    expect(await members(watcher)).toEqual([WATCHER]);
  });

  it('on a new connection after the server closed the old one: no leave, no join, one connection at once', async () => {
    const node = await start({ presenceLeaveDelay: DELAY_SECONDS });
    const watcher = await watchAliceJoin(node);
    const first = await connectClient(
      node,
      { sub: 'alice', org: 'acme' },
      { subscriptions: ['room.1'] },
    );
    expect(await watcher.next('join')).toEqual({ type: 'join', channel: 'room.1', user: 'alice' });
    // The server closes it (4502) before the client hears of it: her leave is pending by then.
    const res = await httpRequest(node, 'POST', '/api/disconnect', {
      json: { org: 'acme', user: 'alice' },
    });
    expect(res.body).toEqual({ closed: 1 });
    expect((await first.waitClosed()).code).toBe(4502);

    await connectClient(node, { sub: 'alice', org: 'acme' }, { subscriptions: ['room.1'] });
    expect(await members(watcher)).toEqual([ALICE_ONCE, WATCHER]);
    expect(await pushesUntilBobLeaves(node, watcher)).toEqual(BOB_CAME_AND_WENT);
    expect(await members(watcher)).toEqual([ALICE_ONCE, WATCHER]);
  });

  it('with two connections, one leaving and coming back: no presence push, two connections', async () => {
    const node = await start({ presenceLeaveDelay: DELAY_SECONDS });
    const watcher = await watchAliceJoin(node);
    const phone = await connectClient(node, { sub: 'alice', org: 'acme' });
    await phone.request({ type: 'subscribe', channel: 'room.1' });
    expect(await watcher.next('join')).toEqual({ type: 'join', channel: 'room.1', user: 'alice' });
    const laptop = await connectClient(node, { sub: 'alice', org: 'acme' });
    await laptop.request({ type: 'subscribe', channel: 'room.1' });

    await laptop.request({ type: 'unsubscribe', channel: 'room.1' });
    await laptop.request({ type: 'subscribe', channel: 'room.1' });
    expect(await pushesUntilBobLeaves(node, watcher)).toEqual(BOB_CAME_AND_WENT);
    expect(await members(watcher)).toEqual([{ ...ALICE_ONCE, connections: 2 }, WATCHER]);
  });
});
