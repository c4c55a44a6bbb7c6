/**
 * The services wired to each other (services/services.ts), end to end: a chat mention of a user
 * with no live connection becomes an inbox notification and a Web Push to their device, and a
 * quiet-hours push is deferred in the zone the user keeps in their chat profile (no zone is
 * injected here: the node reads `chat.profile`). The clock is injected; nothing sleeps.
 */
import { describe, expect, it } from 'vitest';
import { decryptPush } from '../helpers/push-endpoint.js';
import { rpcResult, until, usePushWorld } from '../helpers/push-fixtures.js';
import { connectClient, httpRequest } from '../helpers/ws-client.js';

const world = usePushWorld('2026-01-15T14:00:00Z');

describe('services together', () => {
  it('pushes a chat mention to a member who is offline', async () => {
    const bobPhone = await world.device('bob', 'bob-phone');
    const alice = await connectClient(world.node, { sub: 'alice', org: 'acme' });
    await rpcResult(alice, 'chat.createRoom', { room: 'general', members: ['bob'] });
    const sent = (await rpcResult(alice, 'chat.send', {
      room: 'general',
      text: 'lunch?',
      mentions: ['bob'],
    })) as { message: { id: string } };

    const [push] = await world.endpoint.waitFor(1, 'bob-phone');
    expect(push?.problems).toEqual([]);
    expect(JSON.parse(decryptPush(push?.body ?? Buffer.alloc(0), bobPhone))).toMatchObject({
      kind: 'chat.mention',
      title: 'alice mentioned you in #general',
      data: { room: 'general', message_id: sent.message.id },
    });
    // The inbox has it too, for when bob is back.
    expect(await world.store.notifications.unreadCount('acme', 'bob')).toBe(1);
    // Alice was online: no push for her, and the sender is never notified of her own mention.
    expect(world.endpoint.pushes.map((p) => p.name)).toEqual(['bob-phone']);
  });

  it("defers a quiet-hours push to their end in the zone of the user's chat profile", async () => {
    await world.device('ann', 'ann-phone', {
      setUp: (client) => rpcResult(client, 'chat.profile', { time_zone: 'Asia/Tokyo' }),
    });
    // 14:00 UTC is 23:00 in Tokyo: inside 22:00-07:00 there, outside it in UTC.
    const res = await httpRequest(world.node, 'POST', '/api/notify', {
      json: {
        org: 'acme',
        users: ['ann'],
        notification: { kind: 'k', title: 'later', quiet_hours: { start: '22:00', end: '07:00' } },
      },
    });
    expect(res.status, res.text).toBe(200);
    const endMs = Date.parse('2026-01-15T22:00:00Z'); // 07:00 in Tokyo
    await until(
      async () => (await world.store.push.pending('acme')).some((d) => d.notBeforeMs === endMs),
      'the push deferred to 07:00 in Tokyo',
    );
    expect(world.endpoint.pushes).toEqual([]);
    world.nowMs = endMs;
    await world.endpoint.waitFor(1, 'ann-phone');
  });
});
