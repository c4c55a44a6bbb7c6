/**
 * Conformance: the notifications service of PROTOCOL.md §10 — `POST /api/notify`, the pushes on
 * `user.<id>.notifications`, the `notifications.*` rpc methods, across devices and tenants.
 */
import { describe, expect, it } from 'vitest';
import type { EventPush, ServerMessage } from '@hubcast/protocol';
import type { TestNode } from '../helpers/test-node.js';
import {
  connectClient,
  httpRequest,
  publishHttp,
  TS_PATTERN,
  useTestNodes,
  type ConnectedClient,
} from '../helpers/ws-client.js';

const start = useTestNodes();

interface WireNotification {
  id: string;
  kind: string;
  title: string;
  body?: string;
  data?: unknown;
  created_at: string;
  read_at?: string;
}

async function notify(node: TestNode, body: unknown, key?: string | null) {
  return httpRequest(node, 'POST', '/api/notify', {
    json: body,
    ...(key === undefined ? {} : { key }),
  });
}

async function notifyOk(node: TestNode, body: Record<string, unknown>): Promise<string[]> {
  const res = await notify(node, { org: 'acme', ...body });
  expect(res.status, res.text).toBe(200);
  return (res.body as { ids: string[] }).ids;
}

/** A device of `user` subscribed to its inbox channel. */
function device(node: TestNode, user: string, org = 'acme'): Promise<ConnectedClient> {
  return connectClient(node, { sub: user, org }, { subscriptions: [`user.${user}.notifications`] });
}

let rpcId = 100;
async function rpc(client: ConnectedClient, method: string, params?: unknown): Promise<unknown> {
  const reply: ServerMessage = await client.request({
    type: 'rpc',
    id: ++rpcId,
    method,
    ...(params === undefined ? {} : { params }),
  });
  if (reply.type !== 'result') throw new Error(`${method} answered ${JSON.stringify(reply)}`);
  return reply.result;
}

async function rpcError(client: ConnectedClient, method: string, params?: unknown) {
  const reply = await client.request({
    type: 'rpc',
    id: ++rpcId,
    method,
    ...(params === undefined ? {} : { params }),
  });
  expect(reply.type).toBe('error');
  return reply as Extract<ServerMessage, { type: 'error' }>;
}

const inboxData = (e: EventPush): Record<string, unknown> => e.data as Record<string, unknown>;

/** Publishes a marker and returns the next inbox-or-marker event: proves nothing came before. */
async function nextAfterMarker(node: TestNode, client: ConnectedClient, user: string) {
  await publishHttp(node, 'acme', `user.${user}.notifications`, 'marker');
  return client.next('event');
}

describe('POST /api/notify', () => {
  it('creates one notification per user, in order, and pushes each to its owner', async () => {
    const node = await start();
    const alice = await device(node, 'alice');
    const bob = await device(node, 'bob');
    const ids = await notifyOk(node, {
      users: ['alice', 'bob'],
      notification: {
        kind: 'mention',
        title: 'You were mentioned',
        body: 'in #general',
        data: { room: 'general' },
      },
    });
    expect(ids).toHaveLength(2);
    expect(ids[0]).not.toBe(ids[1]);

    const a = await alice.next('event');
    expect(a.channel).toBe('user.alice.notifications');
    expect(a.data).toEqual({
      type: 'notification.created',
      notification: {
        id: ids[0],
        kind: 'mention',
        title: 'You were mentioned',
        body: 'in #general',
        data: { room: 'general' },
        created_at: expect.stringMatching(TS_PATTERN) as unknown,
      },
    });
    const b = await bob.next('event');
    expect(inboxData(b)['notification']).toMatchObject({ id: ids[1] });
    // Personal channels: alice never sees bob's push.
    expect((await nextAfterMarker(node, alice, 'alice')).data).toBe('marker');
  });

  it('answers the same ids for a repeated key and creates and pushes nothing new', async () => {
    const node = await start();
    const alice = await device(node, 'alice');
    const body = { users: ['alice'], notification: { kind: 'k', title: 'once' }, key: 'order-7' };
    const first = await notifyOk(node, body);
    const again = await notifyOk(node, { ...body, notification: { kind: 'k', title: 'changed' } });
    expect(again).toEqual(first);
    expect(inboxData(await alice.next('event'))['type']).toBe('notification.created');
    expect((await nextAfterMarker(node, alice, 'alice')).data).toBe('marker');
    const page = (await rpc(alice, 'notifications.list')) as { items: WireNotification[] };
    expect(page.items.map((n) => n.title)).toEqual(['once']);
  });

  it('cannot have its pushes suppressed by a client that guesses their keys', async () => {
    const node = await start();
    const alice = await device(node, 'alice');
    const mallory = await connectClient(node, { sub: 'mallory', org: 'acme', publish: ['>'] });
    for (const [i, key] of ['push:1', 's:push:1', 'notification:1', 'c:push:1'].entries()) {
      const reply = await mallory.request({
        type: 'publish',
        id: 10 + i,
        channel: 'news.x',
        data: 1,
        key,
      });
      expect(reply.type).toBe('published');
    }
    const [id] = await notifyOk(node, {
      users: ['alice'],
      notification: { kind: 'k', title: 't' },
    });
    const pushed = await alice.next('event');
    expect(inboxData(pushed)).toMatchObject({ type: 'notification.created', notification: { id } });
  });

  it('refuses a fan-out larger than one notify may write with 413', async () => {
    const node = await start();
    const users = Array.from({ length: 1000 }, (_, i) => `u${i}`);
    const res = await notify(node, {
      org: 'acme',
      users,
      notification: { kind: 'k', title: 't', body: 'b'.repeat(5000) },
    });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: { code: 'too_large' } });
  });

  it('keeps keys per tenant', async () => {
    const node = await start();
    const body = { users: ['alice'], notification: { kind: 'k', title: 't' }, key: 'same' };
    const acme = await notifyOk(node, body);
    const res = await notify(node, { ...body, org: 'other' });
    expect(res.status).toBe(200);
    const other = await device(node, 'alice', 'other');
    const page = (await rpc(other, 'notifications.list')) as { items: WireNotification[] };
    expect(page.items.map((n) => n.id)).toEqual((res.body as { ids: string[] }).ids);
    expect(acme).toHaveLength(1);
  });

  it.each([
    [{ users: [], notification: { kind: 'k', title: 't' } }, /'users' must be an array of 1 to/],
    [{ users: 'alice', notification: { kind: 'k', title: 't' } }, /'users' must be an array/],
    [{ users: ['alice', 'b c'], notification: { kind: 'k', title: 't' } }, /'users\[1\]'/],
    [{ users: ['alice.bob'], notification: { kind: 'k', title: 't' } }, /'users\[0\]'/],
    [{ users: ['alice'] }, /'notification' must be an object/],
    [{ users: ['alice'], notification: { title: 't' } }, /'notification.kind'/],
    [{ users: ['alice'], notification: { kind: 'k', title: '' } }, /'notification.title'/],
    [{ users: ['alice'], notification: { kind: 'k', title: 't', body: 5 } }, /'notification.body'/],
    [{ users: ['alice'], notification: { kind: 'k', title: 't' }, key: '' }, /'key'/],
  ])('refuses %j with 400 naming the field', async (body, message) => {
    const node = await start();
    const res = await notify(node, { org: 'acme', ...body });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      error: { code: 'bad_request', message: expect.stringMatching(message) as unknown },
    });
  });

  it('refuses a missing key, a non-JSON body and GET', async () => {
    const node = await start();
    const body = { org: 'acme', users: ['a'], notification: { kind: 'k', title: 't' } };
    expect((await notify(node, body, null)).status).toBe(401);
    expect((await httpRequest(node, 'POST', '/api/notify', { raw: '{nope' })).status).toBe(400);
    expect((await httpRequest(node, 'GET', '/api/notify')).status).toBe(405);
    expect((await notify(node, { ...body, org: undefined })).status).toBe(400);
  });
});

describe('notifications rpc', () => {
  /** alice gets n1..n5 (n5 newest); bob gets one. */
  async function seedInbox(node: TestNode): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) {
      const [id] = await notifyOk(node, {
        users: ['alice'],
        notification: { kind: 'k', title: `n${i}` },
      });
      ids.push(id as string);
    }
    await notifyOk(node, { users: ['bob'], notification: { kind: 'k', title: 'bob' } });
    return ids;
  }

  it('lists newest first, pages with before and more, and filters unread', async () => {
    const node = await start();
    const ids = await seedInbox(node);
    const alice = await device(node, 'alice');
    const first = (await rpc(alice, 'notifications.list', { limit: 2 })) as {
      items: WireNotification[];
      more: boolean;
    };
    expect(first.items.map((n) => n.title)).toEqual(['n5', 'n4']);
    expect(first.more).toBe(true);
    const second = (await rpc(alice, 'notifications.list', {
      limit: 3,
      before: first.items[1]?.id,
    })) as { items: WireNotification[]; more: boolean };
    expect(second.items.map((n) => n.title)).toEqual(['n3', 'n2', 'n1']);
    expect(second.more).toBe(false);

    await rpc(alice, 'notifications.markRead', { ids: [ids[1], ids[3]] });
    const unread = (await rpc(alice, 'notifications.list', { unread: true })) as {
      items: WireNotification[];
    };
    expect(unread.items.map((n) => n.title)).toEqual(['n5', 'n3', 'n1']);
    const all = (await rpc(alice, 'notifications.list')) as { items: WireNotification[] };
    expect(all.items.find((n) => n.title === 'n2')?.read_at).toMatch(TS_PATTERN);
    expect(await rpc(alice, 'notifications.unreadCount')).toEqual({ count: 3 });
  });

  it('syncs a read on one device to the user’s other devices', async () => {
    const node = await start();
    const ids = await seedInbox(node);
    const phone = await device(node, 'alice');
    const laptop = await device(node, 'alice');
    expect(await rpc(phone, 'notifications.markRead', { ids: [ids[0], ids[0], '999999'] })).toEqual(
      {
        updated: 1,
      },
    );
    for (const d of [laptop, phone]) {
      const e = await d.next('event');
      expect(e.data).toEqual({ type: 'notification.read', ids: [ids[0]] });
    }
    // Reading it again changes nothing and pushes nothing.
    expect(await rpc(phone, 'notifications.markRead', { ids: [ids[0]] })).toEqual({ updated: 0 });
    expect((await nextAfterMarker(node, laptop, 'alice')).data).toBe('marker');
    expect((await phone.next('event')).data).toBe('marker');

    expect(await rpc(laptop, 'notifications.markAllRead')).toEqual({ updated: 4 });
    expect((await phone.next('event')).data).toEqual({ type: 'notification.read_all' });
    expect(await rpc(phone, 'notifications.unreadCount')).toEqual({ count: 0 });
  });

  it('cannot read or mark another user’s or another tenant’s inbox', async () => {
    const node = await start();
    const ids = await seedInbox(node);
    const bob = await device(node, 'bob');
    expect(await rpc(bob, 'notifications.markRead', { ids })).toEqual({ updated: 0 });
    const page = (await rpc(bob, 'notifications.list')) as { items: WireNotification[] };
    expect(page.items.map((n) => n.title)).toEqual(['bob']);

    const otherAlice = await device(node, 'alice', 'other');
    expect(await rpc(otherAlice, 'notifications.unreadCount')).toEqual({ count: 0 });
    expect(await rpc(otherAlice, 'notifications.markAllRead')).toEqual({ updated: 0 });
    const alice = await device(node, 'alice');
    expect(await rpc(alice, 'notifications.unreadCount')).toEqual({ count: 5 });
  });

  it.each([
    ['notifications.list', { limit: 0 }, /'limit' must be an integer from 1 to 100/],
    ['notifications.list', { limit: 101 }, /'limit'/],
    ['notifications.list', { unread: 'yes' }, /'unread' must be true or false/],
    ['notifications.list', { before: 7 }, /'before' must be a notification id/],
    ['notifications.list', [1], /'params' must be an object/],
    ['notifications.markRead', {}, /'ids' must be an array/],
    ['notifications.markRead', { ids: [1] }, /'ids\[0\]' must be a notification id/],
  ])('%s %j is refused with bad_request', async (method, params, message) => {
    const node = await start();
    const alice = await device(node, 'alice');
    expect(await rpcError(alice, method, params)).toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(message) as unknown,
    });
  });

  it('answers not_found for an unknown notifications method', async () => {
    const node = await start();
    const alice = await device(node, 'alice');
    expect(await rpcError(alice, 'notifications.delete', {})).toMatchObject({ code: 'not_found' });
  });
});
