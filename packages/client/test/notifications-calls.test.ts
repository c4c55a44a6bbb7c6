/** `client.notifications` calls against the scripted server: the rpc sent, what is refused. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Notifications } from '../src/index.js';
import { flushMicrotasks } from './helpers/fake-server.js';
import { inboxHarness, note, TS, type InboxHarness } from './helpers/inbox.js';

let h: InboxHarness;
beforeEach(() => {
  vi.useFakeTimers();
  h = inboxHarness();
});
afterEach(() => {
  h.dispose();
  vi.useRealTimers();
});

describe('client.notifications calls', () => {
  it('is one helper per client, created on first use', () => {
    const client = h.makeClient();
    expect(client.notifications).toBe(client.notifications);
    expect(client.notifications.isStarted).toBe(false);
    expect(client.notifications.unread).toBeUndefined();
  });

  it('list sends notifications.list with the options given and returns the checked page', async () => {
    const client = h.makeClient();
    await h.connected(client);
    const page = client.notifications.list({ limit: 5, before: 'n9', unread: true });
    const sent = await h.rpcSent('notifications.list');
    expect(sent).toEqual({
      type: 'rpc',
      id: sent.id,
      method: 'notifications.list',
      params: { limit: 5, before: 'n9', unread: true },
    });
    const wire = [
      { ...note('n8'), body: 'b', data: { room: 'r1' }, read_at: null },
      { ...note('n7'), read_at: TS },
    ];
    h.reply(sent, { items: wire, more: true });
    await expect(page).resolves.toEqual({
      items: [
        { ...note('n8'), body: 'b', data: { room: 'r1' } },
        { ...note('n7'), read_at: TS },
      ],
      more: true,
    });
    const all = client.notifications.list();
    const second = await h.rpcSent('notifications.list', 2);
    expect(second.params).toEqual({});
    h.reply(second, { items: [], more: false });
    await expect(all).resolves.toEqual({ items: [], more: false });
  });

  it('markRead, markAllRead and unreadCount call their methods', async () => {
    const client = h.makeClient();
    await h.connected(client);
    const inbox = client.notifications;

    const marked = inbox.markRead(['n1', 'n2']);
    const markSent = await h.rpcSent('notifications.markRead');
    expect(markSent.params).toEqual({ ids: ['n1', 'n2'] });
    h.reply(markSent, { updated: 2 });
    await expect(marked).resolves.toEqual({ updated: 2 });

    const all = inbox.markAllRead();
    const allSent = await h.rpcSent('notifications.markAllRead');
    expect(allSent.params).toEqual({});
    h.reply(allSent, { updated: 7 });
    await expect(all).resolves.toEqual({ updated: 7 });

    const count = inbox.unreadCount();
    const countSent = await h.rpcSent('notifications.unreadCount');
    expect(countSent.params).toEqual({});
    h.reply(countSent, { count: 3 });
    await expect(count).resolves.toBe(3);
    expect(inbox.unread).toBeUndefined(); // a plain call: the live count needs start()
  });

  it('refuses bad arguments without sending anything', async () => {
    const client = h.makeClient();
    await h.connected(client);
    const inbox = client.notifications;
    await expect(inbox.list({ limit: 0 })).rejects.toMatchObject({
      code: 'bad_request',
      message: "'limit' must be an integer from 1 to 100",
    });
    await expect(inbox.markRead('n1' as never)).rejects.toMatchObject({
      code: 'bad_request',
      message: "'ids' must be an array of notification ids",
    });
    await flushMicrotasks();
    expect(h.sentOf('rpc')).toEqual([]);
  });

  it.each([
    [
      'list',
      (n: Notifications) => n.list(),
      'notifications.list',
      { items: [{ id: 'n1' }], more: false },
      "malformed 'notifications.list' result: 'items[0].kind' must be a non-empty string",
    ],
    [
      'list',
      (n: Notifications) => n.list(),
      'notifications.list',
      [],
      "malformed 'notifications.list' result: 'result' must be an object",
    ],
    [
      'markRead',
      (n: Notifications) => n.markRead(['n1']),
      'notifications.markRead',
      { updated: '1' },
      "malformed 'notifications.markRead' result: 'updated' must be a non-negative integer",
    ],
    [
      'markAllRead',
      (n: Notifications) => n.markAllRead(),
      'notifications.markAllRead',
      null,
      "malformed 'notifications.markAllRead' result: 'result' must be an object",
    ],
    [
      'unreadCount',
      (n: Notifications) => n.unreadCount(),
      'notifications.unreadCount',
      { count: -2 },
      "malformed 'notifications.unreadCount' result: 'count' must be a non-negative integer",
    ],
  ])(
    '%s rejects a malformed result naming the field',
    async (_name, call, method, result, message) => {
      const client = h.makeClient();
      await h.connected(client);
      const pending = call(client.notifications);
      h.reply(await h.rpcSent(method), result);
      await expect(pending).rejects.toMatchObject({ code: 'internal', message });
      expect(client.state).toBe('connected');
    },
  );

  it("passes the server's error through", async () => {
    const client = h.makeClient();
    await h.connected(client);
    const pending = client.notifications.markRead(['nope']);
    const sent = await h.rpcSent('notifications.markRead');
    h.server.current().push({ type: 'error', id: sent.id, code: 'not_found', message: 'no such' });
    await expect(pending).rejects.toMatchObject({ code: 'not_found', message: 'no such' });
  });
});
