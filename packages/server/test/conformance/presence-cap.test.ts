/**
 * Conformance: the member cap (docs/presence.md "Member cap"). The `presence` reply and
 * GET /api/presence list at most `presenceMembersMax` members, the first by user id, each with
 * all of its connections and devices, and `count` is every member.
 */
import { describe, expect, it } from 'vitest';
import type { PresenceMember } from '@hubcast/protocol';
import { asType, connectClient, httpRequest, useTestNodes } from '../helpers/ws-client.js';

const start = useTestNodes();

const member = (user: string, connections = 1): PresenceMember => ({
  user,
  connections,
  devices: [],
});

describe('member cap (presenceMembersMax)', () => {
  it('lists the first members by user id and counts them all, on the wire and over HTTP', async () => {
    const node = await start({ presenceMembersMax: 3 });
    for (const user of ['u5', 'u2', 'u4', 'u1', 'u3', 'u1'])
      await connectClient(node, { sub: user, org: 'acme' }, { subscriptions: ['room.1'] });
    const watcher = await connectClient(node, { sub: 'zz-watcher', org: 'acme' });
    const expected = {
      channel: 'room.1',
      members: [member('u1', 2), member('u2'), member('u3')],
      count: 5,
    };
    expect(await watcher.request({ type: 'presence', id: 7, channel: 'room.1' })).toEqual({
      type: 'presence',
      id: 7,
      ...expected,
    });
    const res = await httpRequest(node, 'GET', '/api/presence?org=acme&channel=room.1');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expected);
  });

  it('lists every member, sorted, with count equal to their number at or below the cap', async () => {
    const node = await start({ presenceMembersMax: 3 });
    for (const user of ['c', 'a', 'b'])
      await connectClient(node, { sub: user, org: 'acme' }, { subscriptions: ['room.1'] });
    const reply = asType(
      await (
        await connectClient(node, { sub: 'x', org: 'acme' })
      ).request({ type: 'presence', channel: 'room.1' }),
      'presence',
    );
    expect(reply.members).toEqual([member('a'), member('b'), member('c')]);
    expect(reply.count).toBe(3);
  });

  it('lists at most 100 members by default', async () => {
    const node = await start();
    expect(node.node.config.presenceMembersMax).toBe(100);
  });

  it('refuses presence without the grant on the wire, and for another tenant over HTTP', async () => {
    const node = await start({ apiKeys: [{ key: 'acme-key-123', org: 'acme' }] });
    await connectClient(node, { sub: 'eve', org: 'globex' }, { subscriptions: ['room.1'] });
    const c = await connectClient(node, { sub: 'bob', org: 'acme', subscribe: ['room.>'] });
    expect(await c.request({ type: 'presence', channel: 'vault.1' })).toMatchObject({
      type: 'error',
      code: 'forbidden',
    });
    const res = await httpRequest(node, 'GET', '/api/presence?org=globex&channel=room.1', {
      key: 'acme-key-123',
    });
    expect(res.status).toBe(403);
  });
});
