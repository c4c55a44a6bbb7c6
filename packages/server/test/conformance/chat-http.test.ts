/**
 * Conformance: the chat HTTP API of docs/chat.md for app backends, on each store backend:
 * rooms, members, sending as a member, history, and its refusals (keys, tenants, bodies).
 */
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '@hubcast/protocol';
import { CHAT_BACKENDS, nextData, rpc, useChatNodes } from '../helpers/chat-client.js';
import type { TestNode } from '../helpers/test-node.js';
import { anyTs, connectClient, httpRequest } from '../helpers/ws-client.js';

const startChat = useChatNodes();

const post = (node: TestNode, path: string, json: unknown, key?: string) =>
  httpRequest(node, 'POST', path, { json, ...(key === undefined ? {} : { key }) });

describe.each(CHAT_BACKENDS)('the chat HTTP API on the %s store', (backend) => {
  it('creates a room, adds and removes members, sends as a bot and reads history', async () => {
    const node = await startChat(backend);
    const alice = await connectClient(
      node,
      { sub: 'alice', org: 'acme' },
      { subscriptions: ['user.alice.chat'] },
    );
    const created = await post(node, '/api/chat/rooms', {
      org: 'acme',
      room: 'support',
      title: 'Support',
      members: ['alice', 'helpbot'],
    });
    expect(created.status, created.text).toBe(200);
    expect(created.body).toEqual({
      room: 'support',
      title: 'Support',
      created_by: expect.any(String) as unknown,
      created_at: anyTs,
    });
    expect(await nextData(alice, 'user.alice.chat')).toMatchObject({
      type: 'chat.room_joined',
      role: 'member',
    });
    expect((await post(node, '/api/chat/rooms', { org: 'acme', room: 'support' })).status).toBe(
      409,
    );

    const added = await post(node, '/api/chat/members', {
      org: 'acme',
      room: 'support',
      users: ['bob', 'alice'],
    });
    expect(added.body).toEqual({ added: [{ user: 'bob', role: 'member', joined_at: anyTs }] });

    await alice.request({ type: 'subscribe', channel: 'chat.support' });
    const sent = await post(node, '/api/chat/send', {
      org: 'acme',
      room: 'support',
      user: 'helpbot',
      text: 'How can I help?',
      data: { buttons: ['billing'] },
      mentions: ['alice'],
    });
    expect(sent.status, sent.text).toBe(200);
    const m = (sent.body as { message: ChatMessage }).message;
    expect(sent.body).toEqual({ message: m, duplicate: false });
    expect(m).toMatchObject({ user: 'helpbot', text: 'How can I help?', mentions: ['alice'] });
    expect(await nextData(alice, 'chat.support')).toEqual({ type: 'chat.message', message: m });
    expect(await rpc(alice, 'notifications.unreadCount')).toEqual({ count: 1 });

    const history = await httpRequest(node, 'GET', '/api/chat/history?org=acme&room=support');
    expect(history.body).toEqual({ messages: [m], more: false });
    const asBob = await httpRequest(
      node,
      'GET',
      '/api/chat/history?org=acme&room=support&user=bob&limit=1',
    );
    expect(asBob.body).toEqual({ messages: [m], more: false });

    const removed = await post(node, '/api/chat/members/remove', {
      org: 'acme',
      room: 'support',
      user: 'bob',
    });
    expect(removed.body).toEqual({ removed: true });
    expect(
      (await post(node, '/api/chat/members/remove', { org: 'acme', room: 'support', user: 'bob' }))
        .body,
    ).toEqual({ removed: false });
  });

  it('refuses bad calls with the status of their code', async () => {
    const node = await startChat(backend, {
      apiKeys: [{ key: 'acme-key-123', org: 'acme' }],
    });
    await post(node, '/api/chat/rooms', { org: 'acme', room: 'general', members: ['alice'] });
    const cases: [string, string, unknown, number, string?][] = [
      ['POST', '/api/chat/rooms', { room: 'x' }, 400, 'org'], // an admin key names the org
      ['POST', '/api/chat/rooms', { org: 'acme', room: 'a.b' }, 400, 'room'],
      ['POST', '/api/chat/rooms', [1], 400],
      ['POST', '/api/chat/members', { org: 'acme', room: 'general', users: 'bob' }, 400, 'users'],
      ['POST', '/api/chat/members', { org: 'acme', room: 'nowhere', users: ['bob'] }, 404],
      ['POST', '/api/chat/send', { org: 'acme', room: 'general', text: 'x' }, 400, 'user'],
      // a backend sends only as a member
      ['POST', '/api/chat/send', { org: 'acme', room: 'general', user: 'bob', text: 'x' }, 404],
      [
        'POST',
        '/api/chat/send',
        { org: 'acme', room: 'general', user: 'alice', text: 'x'.repeat(4001) },
        413,
      ],
      ['GET', '/api/chat/send', undefined, 405],
      ['POST', '/api/chat/history', {}, 405],
    ];
    for (const [method, path, json, status, field] of cases) {
      const res = await httpRequest(node, method, path, json === undefined ? {} : { json });
      expect(res.status, `${method} ${path} ${JSON.stringify(json)}: ${res.text}`).toBe(status);
      if (field !== undefined) expect(res.text).toContain(field);
    }
    const badQuery = await httpRequest(
      node,
      'GET',
      '/api/chat/history?org=acme&room=general&limit=x',
    );
    expect(badQuery.status).toBe(400);
    expect((await httpRequest(node, 'GET', '/api/chat/history?org=acme&room=nowhere')).status).toBe(
      404,
    );
    // A tenant's key acts in its tenant only, and never without a key.
    const other = await post(node, '/api/chat/rooms', { org: 'globex', room: 'g' }, 'acme-key-123');
    expect(other.status).toBe(403);
    const own = await post(node, '/api/chat/rooms', { room: 'own' }, 'acme-key-123');
    expect(own.status, own.text).toBe(200);
    const noKey = await httpRequest(node, 'POST', '/api/chat/rooms', {
      key: null,
      json: { org: 'acme', room: 'x' },
    });
    expect(noKey.status).toBe(401);
    // globex has no room `general`: acme's is invisible to it.
    expect(
      (await httpRequest(node, 'GET', '/api/chat/history?org=globex&room=general')).status,
    ).toBe(404);
  });
});
