/**
 * The lifecycle contract every `Store` passes (STYLE rule 2): health and closing, the push
 * outbox, and for durable stores, what outlives a store and how a target is migrated. A
 * `*.test.ts` per backend calls `describeStoreLifecycle(name, newTarget, options)` next to
 * `describeStore` (store.contract.ts); this file is never run on its own.
 *
 * The outbox and migration tests get empty targets of their own: the outbox is shared by every
 * org, and a migration needs a target nobody has opened.
 */
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError, type NotificationStore, type PendingPush } from './store.js';
import {
  fill,
  freshOrg,
  iso,
  note,
  rejectionOf,
  START_MS,
  titles,
  to,
  useStoreHarness,
  type StoreTargetFactory,
} from './store-kit.contract.js';

export interface StoreLifecycleOptions {
  /** Whether stores opened on one target share their data (false for the memory store). */
  durable?: boolean;
}

export function describeStoreLifecycle(
  name: string,
  newTarget: StoreTargetFactory,
  { durable = true }: StoreLifecycleOptions = {},
): void {
  describe(`Store lifecycle contract: ${name}`, () => {
    const { shared, openOn, setup } = useStoreHarness(newTarget);

    describe('lifecycle', () => {
      it('checks healthy', async () => {
        const { store } = await setup();
        await expect(store.check()).resolves.toBeUndefined();
      });

      it('rejects every call after close with StoreUnavailableError', async () => {
        const { store, inbox, org } = await setup({ own: true });
        await store.close();
        await store.close(); // twice is harmless
        const calls: Promise<unknown>[] = [
          store.check(),
          inbox.create(org, to('ann', 'x')),
          inbox.list(org, 'ann', { limit: 5 }),
          inbox.markRead(org, 'ann', ['1']),
          inbox.markAllRead(org, 'ann'),
          inbox.unreadCount(org, 'ann'),
        ];
        for (const call of calls) {
          const err = await rejectionOf(call);
          expect(err).toBeInstanceOf(StoreUnavailableError);
          expect((err as StoreUnavailableError).reason).toMatch(/closed/);
        }
      });
    });

    describe('push outbox', () => {
      /** A store on an empty target of its own: the outbox is shared by every org. */
      async function alone(): Promise<{ inbox: NotificationStore; org: string }> {
        const store = await openOn(await newTarget(), { now: () => START_MS });
        return { inbox: store.notifications, org: freshOrg() };
      }

      it('writes one created push per notification, in order, with the wire shape', async () => {
        const { inbox, org } = await alone();
        const { ids } = await inbox.create(org, {
          users: ['ann', 'bob'],
          notification: note('hi', { body: 'b', data: { x: [1] } }),
        });
        const pending = await inbox.pendingPushes(10);
        expect(pending.map((p) => [p.org, p.user])).toEqual([
          [org, 'ann'],
          [org, 'bob'],
        ]);
        expect(pending[0]?.data).toEqual({
          type: 'notification.created',
          notification: {
            id: ids[0],
            kind: 'mention',
            title: 'hi',
            body: 'b',
            data: { x: [1] },
            created_at: iso(START_MS),
          },
        });
        expect(Number(pending[1]?.id)).toBeGreaterThan(Number(pending[0]?.id));
      });

      it('writes nothing for a repeated key or a change that changed nothing', async () => {
        const { inbox, org } = await alone();
        const { ids } = await inbox.create(org, to('ann', 'once', { key: 'k' }));
        await inbox.create(org, to('ann', 'again', { key: 'k' }));
        await inbox.markRead(org, 'bob', ids);
        await inbox.markAllRead(org, 'bob');
        expect((await inbox.pendingPushes(10)).length).toBe(1);
      });

      it('writes read and read_all pushes with exactly the ids that changed', async () => {
        const { inbox, org } = await alone();
        const ids = await fill(inbox, org, 'ann', 3);
        await inbox.pushesDone((await inbox.pendingPushes(10)).map((p) => p.id));
        await inbox.markRead(org, 'ann', [ids[1] as string, ids[1] as string, '999']);
        await inbox.markAllRead(org, 'ann');
        const pending = await inbox.pendingPushes(10);
        expect(pending.map((p) => p.data)).toEqual([
          { type: 'notification.read', ids: [ids[1]] },
          { type: 'notification.read_all' },
        ]);
      });

      it('pages oldest first and forgets what is done', async () => {
        const { inbox, org } = await alone();
        await fill(inbox, org, 'ann', 5);
        const first = await inbox.pendingPushes(2);
        expect(first.length).toBe(2);
        await inbox.pushesDone(first.map((p) => p.id));
        const rest = await inbox.pendingPushes(10);
        expect(rest.length).toBe(3);
        expect(Number(rest[0]?.id)).toBeGreaterThan(Number(first[1]?.id));
        await inbox.pushesDone([]);
        await inbox.pushesDone(rest.map((p) => p.id));
        expect(await inbox.pendingPushes(10)).toEqual([]);
      });

      it('drains oldest first, forgets what was delivered, and keeps what failed', async () => {
        const { inbox, org } = await alone();
        await fill(inbox, org, 'ann', 3);
        const all = await inbox.pendingPushes(10);
        await expect(
          inbox.drainPushes(2, () => Promise.reject(new Error('log down'))),
        ).rejects.toThrow('log down');
        expect(await inbox.pendingPushes(10)).toEqual(all);
        const seen: string[][] = [];
        const take = (batch: readonly PendingPush[]): Promise<void> => {
          seen.push(batch.map((p) => p.id));
          return Promise.resolve();
        };
        expect(await inbox.drainPushes(2, take)).toBe(2);
        expect(await inbox.drainPushes(2, take)).toBe(1);
        expect(await inbox.drainPushes(2, take)).toBe(0);
        expect(seen).toEqual([all.slice(0, 2).map((p) => p.id), [all[2]?.id]]);
        expect(await inbox.pendingPushes(10)).toEqual([]);
      });
    });

    // A store that keeps nothing across opens has no durability or migrations to test.
    if (!durable) return;

    describe('durability and migrations', () => {
      it('keeps data and keys for the next store on the target', async () => {
        const { store, inbox, org } = await setup({ own: true });
        const kept = await inbox.create(org, to('ann', 'kept', { key: 'k' }));
        await store.close();
        const next = await openOn(shared());
        expect(titles((await next.notifications.list(org, 'ann', { limit: 5 })).items)).toEqual([
          'kept',
        ]);
        const again = await next.notifications.create(org, to('ann', 'x', { key: 'k' }));
        expect(again).toEqual({ ...kept, created: false });
      });

      it('migrates an empty target step by step, and a second open does nothing', async () => {
        const target = await newTarget();
        const first: string[] = [];
        const store = await openOn(target, { onProgress: (m) => first.push(m) });
        expect(first.length).toBeGreaterThan(0);
        first.forEach((message, i) =>
          expect(message).toMatch(new RegExp(`^migrating store: ${i + 1}/${first.length} \\S`)),
        );
        const org = freshOrg();
        await store.notifications.create(org, to('ann', 'before'));
        await store.close();

        const second: string[] = [];
        const again = await openOn(target, { onProgress: (m) => second.push(m) });
        expect(second).toEqual([]);
        expect(await again.notifications.unreadCount(org, 'ann')).toBe(1);
      });

      it('lets several stores open an empty target at once, migrating it once', async () => {
        const target = await newTarget();
        const messages: string[] = [];
        const stores = await Promise.all(
          Array.from({ length: 4 }, () => openOn(target, { onProgress: (m) => messages.push(m) })),
        );
        expect(messages.filter((m) => m.startsWith('migrating store: 1/'))).toHaveLength(1);
        const org = freshOrg();
        await Promise.all(stores.map((s, i) => s.notifications.create(org, to('ann', `s${i}`))));
        expect(await stores[0]?.notifications.unreadCount(org, 'ann')).toBe(4);
      });
    });
  });
}
