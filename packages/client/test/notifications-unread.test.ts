/**
 * The live unread count of `client.notifications` against the scripted server: events,
 * replays, reconnects and the race between a count fetch and the events.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushMicrotasks } from './helpers/fake-server.js';
import {
  CHANNEL,
  created,
  drained,
  inboxHarness,
  note,
  read,
  READ_ALL,
  settled,
  TS,
  type InboxHarness,
} from './helpers/inbox.js';
import { record, waitFor } from './helpers/wait-for.js';

let h: InboxHarness;
beforeEach(() => {
  vi.useFakeTimers();
  h = inboxHarness();
});
afterEach(() => {
  h.dispose();
  vi.useRealTimers();
});

describe('client.notifications live unread count', () => {
  it("start() subscribes to the user's inbox and fetches the count once the subscription is live", async () => {
    const client = h.makeClient();
    await h.connected(client);
    const inbox = client.notifications;
    const changes = record(inbox, 'unread');
    inbox.start();
    await flushMicrotasks();
    expect(h.sentOf('subscribe').map((m) => m.channel)).toEqual([CHANNEL]);
    expect(h.sentOf('rpc')).toEqual([]); // not before the subscription is live
    await h.confirmSubscribe();
    const fetch = await h.rpcSent('notifications.unreadCount');
    expect(inbox.unread).toBeUndefined();
    h.reply(fetch, { count: 3 });
    await settled(() => inbox.unread !== undefined, 'first sync');
    expect(inbox.unread).toBe(3);
    expect(changes).toEqual([{ unread: 3, previous: undefined }]);
    expect(inbox.isStarted).toBe(true);
    inbox.start(); // idempotent
    await flushMicrotasks();
    expect(h.sentOf('subscribe')).toHaveLength(1);
  });

  it('start() before connect waits for the session to learn the user', async () => {
    const client = h.makeClient();
    const inbox = client.notifications;
    inbox.start();
    const done = client.connect();
    await flushMicrotasks();
    h.server.current().open();
    await flushMicrotasks();
    expect(h.sentOf('connect')[0]?.subscriptions).toEqual([]); // the user is not known yet
    h.server.current().acceptConnect();
    await done;
    await h.confirmSubscribe();
    h.reply(await h.rpcSent('notifications.unreadCount'), { count: 0 });
    await waitFor(inbox, 'unread');
    expect(inbox.unread).toBe(0);
  });

  it('created, read and read_all move the count and emit typed events', async () => {
    const { inbox } = await h.startedWith(2);
    const changes = record(inbox, 'unread');
    const createdEvents = record(inbox, 'created');
    const reads = record(inbox, 'read');
    const readAlls = record(inbox, 'readAll');

    h.pushInbox(created(note('n1')));
    expect(inbox.unread).toBe(3);
    h.pushInbox(created(note('n2', { read_at: TS }))); // created already read: not counted
    expect(inbox.unread).toBe(3);
    h.pushInbox(read('n1'));
    expect(inbox.unread).toBe(2);
    h.pushInbox(read('n1', 'n2')); // both known read now: nothing to take off
    expect(inbox.unread).toBe(2);
    h.pushInbox(READ_ALL);
    expect(inbox.unread).toBe(0);

    expect(changes).toEqual([
      { unread: 3, previous: 2 },
      { unread: 2, previous: 3 },
      { unread: 0, previous: 2 },
    ]);
    expect(createdEvents.map((c) => c.notification)).toEqual([
      note('n1'),
      note('n2', { read_at: TS }),
    ]);
    expect(reads).toEqual([
      { ids: ['n1'], ts: TS },
      { ids: ['n1', 'n2'], ts: TS },
    ]);
    expect(readAlls).toEqual([{ ts: TS }]);
    await drained();
    expect(h.sentOf('rpc', 'notifications.unreadCount')).toHaveLength(1); // no refetch needed
  });

  it('a created event seen twice (a replay) counts once and is emitted once', async () => {
    const { inbox } = await h.startedWith(0);
    const createdEvents = record(inbox, 'created');
    h.pushInbox(created(note('n1')), created(note('n1')));
    expect(inbox.unread).toBe(1);
    expect(createdEvents).toHaveLength(1);
  });

  it('a read of an id it never saw refetches the count instead of guessing', async () => {
    const { inbox } = await h.startedWith(4);
    h.pushInbox(read('older'));
    expect(inbox.unread).toBe(4);
    const refetch = await h.rpcSent('notifications.unreadCount', 2);
    h.reply(refetch, { count: 3 });
    await settled(() => inbox.unread === 3, 'refetched count');
  });

  it('refetches after every reconnect, and a replay across it does not double count', async () => {
    const { inbox } = await h.startedWith(0);
    h.pushInbox(created(note('n1')));
    expect(inbox.unread).toBe(1);
    const createdEvents = record(inbox, 'created');

    h.server.current().serverClose(1006);
    await vi.advanceTimersByTimeAsync(10);
    await flushMicrotasks();
    h.server.current().open();
    await flushMicrotasks();
    expect(h.sentOf('connect')[0]).toMatchObject({
      cursor: h.lastCursor(),
      subscriptions: [CHANNEL],
    });
    // The server replays from an older point than it should have: n1 again, then n2.
    h.pushInbox(created(note('n1')), created(note('n2')));
    expect(inbox.unread).toBe(2);
    expect(createdEvents.map((c) => c.notification.id)).toEqual(['n2']);
    h.server.current().acceptConnect({ resumed: true });
    const afterResume = await h.rpcSent('notifications.unreadCount');
    h.reply(afterResume, { count: 2 });
    await flushMicrotasks();
    expect(inbox.unread).toBe(2);

    h.server.current().serverClose(1006);
    await vi.advanceTimersByTimeAsync(10);
    const changes = record(inbox, 'unread');
    await h.handshake({ resumed: false, cursor: 'new-head' }); // events were missed
    h.reply(await h.rpcSent('notifications.unreadCount'), { count: 5 });
    await waitFor(inbox, 'unread');
    expect(inbox.unread).toBe(5);
    expect(changes).toEqual([{ unread: 5, previous: 2 }]);
  });

  it.each([
    ['included the event', 1],
    ['predates the event', 0],
  ])(
    'an event during the count fetch makes its answer (which %s) be dropped and fetched again',
    async (_case, firstAnswer) => {
      const client = h.makeClient();
      await h.connected(client);
      const inbox = client.notifications;
      const changes = record(inbox, 'unread');
      inbox.start();
      await h.confirmSubscribe();
      const first = await h.rpcSent('notifications.unreadCount');
      h.pushInbox(created(note('n1'))); // in the answer or not: no way to tell
      h.reply(first, { count: firstAnswer });
      const second = await h.rpcSent('notifications.unreadCount', 2);
      expect(inbox.unread).toBeUndefined(); // the ambiguous answer was not shown
      h.reply(second, { count: 1 });
      await waitFor(inbox, 'unread');
      expect(inbox.unread).toBe(1);
      h.pushInbox(read('n1')); // n1 is known: counted in the adopted answer
      expect(inbox.unread).toBe(0);
      expect(changes).toEqual([
        { unread: 1, previous: undefined },
        { unread: 0, previous: 1 },
      ]);
      await drained();
      expect(h.sentOf('rpc', 'notifications.unreadCount')).toHaveLength(2);
    },
  );

  it('an event during a refetch after a reconnect shows at once, then the clean answer settles it', async () => {
    const { inbox } = await h.startedWith(2);
    h.server.current().serverClose(1006);
    await vi.advanceTimersByTimeAsync(10);
    await h.handshake({ resumed: false, cursor: 'new-head' });
    const first = await h.rpcSent('notifications.unreadCount');
    h.pushInbox(created(note('n1')));
    expect(inbox.unread).toBe(3); // the last count plus the event, meanwhile
    h.reply(first, { count: 9 }); // ambiguous: dropped
    const second = await h.rpcSent('notifications.unreadCount', 2);
    expect(inbox.unread).toBe(3);
    h.reply(second, { count: 8 });
    await settled(() => inbox.unread === 8, 'clean answer adopted');
  });

  it('read_all during the count fetch wins over the answer', async () => {
    const client = h.makeClient();
    await h.connected(client);
    const inbox = client.notifications;
    inbox.start();
    await h.confirmSubscribe();
    const fetch = await h.rpcSent('notifications.unreadCount');
    h.pushInbox(READ_ALL, created(note('n1')));
    expect(inbox.unread).toBe(1);
    h.reply(fetch, { count: 4 }); // before or after the read_all? It no longer matters
    await drained();
    expect(inbox.unread).toBe(1);
    expect(h.sentOf('rpc', 'notifications.unreadCount')).toHaveLength(1);
  });

  it('stop() unsubscribes, forgets the count and ignores a late answer', async () => {
    const client = h.makeClient();
    await h.connected(client);
    const inbox = client.notifications;
    inbox.start();
    await h.confirmSubscribe();
    const fetch = await h.rpcSent('notifications.unreadCount');
    const createdEvents = record(inbox, 'created');
    inbox.stop();
    expect(inbox.isStarted).toBe(false);
    await flushMicrotasks();
    expect(h.sentOf('unsubscribe')).toEqual([
      { type: 'unsubscribe', id: h.sentOf('unsubscribe')[0]?.id, channel: CHANNEL },
    ]);
    h.reply(fetch, { count: 4 });
    h.pushInbox(created(note('n1')));
    await drained();
    expect(inbox.unread).toBeUndefined();
    expect(createdEvents).toEqual([]);
  });

  it('a malformed inbox event is reported and the count fetched again', async () => {
    const { inbox } = await h.startedWith(2);
    const errors = record(inbox, 'error');
    h.pushInbox({ type: 'notification.read', ids: 'n1' });
    expect(errors.map((e) => [e.error.code, e.error.message, e.channel])).toEqual([
      [
        'internal',
        "malformed notifications event: 'ids' must be an array of non-empty strings",
        CHANNEL,
      ],
    ]);
    h.reply(await h.rpcSent('notifications.unreadCount', 2), { count: 1 });
    await settled(() => inbox.unread === 1, 'refetched count');
  });

  it.each([
    [
      {
        type: 'error',
        code: 'not_found',
        message: "unknown rpc method 'notifications.unreadCount'",
      },
      'not_found',
    ],
    [{ type: 'result', result: { count: 'many' } }, 'internal'],
  ])('a failed count fetch is reported on the helper (%j)', async (answer, code) => {
    const client = h.makeClient();
    await h.connected(client);
    const inbox = client.notifications;
    inbox.start();
    await h.confirmSubscribe();
    const fetch = await h.rpcSent('notifications.unreadCount');
    const error = waitFor(inbox, 'error');
    h.server.current().push({ ...answer, id: fetch.id });
    expect(await error).toMatchObject({ error: { code }, channel: CHANNEL });
    expect(inbox.unread).toBeUndefined();
  });

  it('a refused subscription stops the helper with the error', async () => {
    const client = h.makeClient();
    await h.connected(client);
    const inbox = client.notifications;
    inbox.start();
    await settled(() => h.sentOf('subscribe').length === 1, 'subscribe sent');
    const sub = h.sentOf('subscribe')[0];
    const error = waitFor(inbox, 'error');
    h.server.current().push({ type: 'error', id: sub?.id, code: 'forbidden', message: 'no grant' });
    expect(await error).toMatchObject({ error: { code: 'forbidden' }, channel: CHANNEL });
    expect(inbox.isStarted).toBe(false);
    expect(h.sentOf('rpc')).toEqual([]);
  });

  it('a throwing listener is reported as an error and the count stays right', async () => {
    const { inbox } = await h.startedWith(0);
    inbox.on('created', () => {
      throw new Error('boom');
    });
    const errors = record(inbox, 'error');
    h.pushInbox(created(note('n1')));
    expect(inbox.unread).toBe(1);
    expect(errors.map((e) => e.error.message)).toEqual(["'created' listener threw: boom"]);
  });
});
