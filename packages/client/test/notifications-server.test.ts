/**
 * `client.notifications` against a real node: `ServerClient.notify` fills the inbox, the helper
 * keeps `unread` live on two devices of one user, and a read on one reaches the other.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from './helpers/fixtures.js';
import { record, waitFor } from './helpers/wait-for.js';

let fx: Fixture;
beforeEach(async () => {
  fx = await startFixture();
});
afterEach(async () => {
  await fx.close();
});

describe('notifications against a real node', () => {
  it('keeps the unread badge of two devices in step', async () => {
    // Two notifications exist before either device starts: the first count must include them.
    await fx.api.notify({ users: ['alice'], notification: { kind: 'k', title: 'old 1' } });
    await fx.api.notify({ users: ['alice'], notification: { kind: 'k', title: 'old 2' } });
    const phone = await fx.client('alice');
    const laptop = await fx.client('alice');
    for (const device of [phone, laptop]) {
      const counted = waitFor(device.notifications, 'unread', (c) => c.unread === 2);
      device.notifications.start();
      await device.connect();
      await counted;
    }

    const bothAt = (n: number) =>
      Promise.all(
        [phone, laptop].map((d) => waitFor(d.notifications, 'unread', (c) => c.unread === n)),
      );
    let next = bothAt(3);
    const { ids } = await fx.api.notify({
      users: ['alice', 'bob'],
      notification: { kind: 'mention', title: 'new', data: { room: 'r1' } },
    });
    await next;

    const page = await laptop.notifications.list({ limit: 10 });
    expect(page.items.map((n) => n.title)).toEqual(['new', 'old 2', 'old 1']);
    expect(page.items[0]).toMatchObject({ id: ids[0], data: { room: 'r1' } });
    expect(page.more).toBe(false);

    next = bothAt(2);
    expect(await phone.notifications.markRead([ids[0] as string])).toEqual({ updated: 1 });
    await next;

    next = bothAt(0);
    expect(await laptop.notifications.markAllRead()).toEqual({ updated: 2 });
    await next;
    expect(await phone.notifications.unreadCount()).toBe(0);
    expect(phone.notifications.unread).toBe(0);
  });

  it("works with the README's token, whose grants name no user.* channel", async () => {
    // PROTOCOL.md §1: a user may always subscribe to their own personal channels.
    const device = await fx.client('alice', {}, { subscribe: ['chat.>'] });
    const errors = record(device.notifications, 'error');
    // A refusal fails the test at once rather than after the count's timeout.
    let stopListening = (): void => undefined;
    const refused = new Promise<never>((_resolve, reject) => {
      stopListening = device.notifications.on('error', ({ error }) => reject(error));
    });
    const counted = waitFor(device.notifications, 'unread', (c) => c.unread === 0);
    device.notifications.start();
    await device.connect();
    await Promise.race([counted, refused]).finally(stopListening);

    const pushed = waitFor(device.notifications, 'unread', (c) => c.unread === 1);
    const { ids } = await fx.api.notify({
      users: ['alice'],
      notification: { kind: 'k', title: 't' },
    });
    await pushed;
    const page = await device.notifications.list();
    expect(page.items.map((n) => n.id)).toEqual(ids);
    expect(errors).toEqual([]);
  });

  it('answers the same ids for a repeated key', async () => {
    const request = { users: ['alice'], notification: { kind: 'k', title: 't' }, key: 'once' };
    const first = await fx.api.notify(request);
    expect(await fx.api.notify(request)).toEqual(first);
  });
});
