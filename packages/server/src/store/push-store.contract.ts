/**
 * The contract every `PushSubscriptionStore` passes (STYLE rule 2): subscriptions with their cap,
 * tenant isolation, the delivery queue with its leases and retries. `memory.test.ts`,
 * `sqlite.test.ts` and `postgres.test.ts` call `describePushStore`; never run on its own.
 */
import { describe, expect, it } from 'vitest';
import {
  freshOrg,
  rejectionOf,
  START_MS,
  useStoreHarness,
  type StoreTargetFactory,
} from './store-kit.contract.js';
import type { NewPushDelivery, PushSubscriptionInput } from './push-store.js';
import { StoreUnavailableError } from './store.js';

export interface PushStoreOptions {
  /** Stores opened on one target share their data (false for memory). */
  sharedTarget: boolean;
}

const sub = (n: number, device?: string): PushSubscriptionInput => ({
  endpoint: `https://push.example/ep/${n}`,
  p256dh: `key-${n}`,
  auth: `auth-${n}`,
  ...(device === undefined ? {} : { device }),
});

const delivery = (
  org: string,
  user: string,
  n: number,
  notBeforeMs = START_MS,
): NewPushDelivery => ({
  org,
  user,
  notificationId: String(n),
  payload: JSON.stringify({ id: String(n), kind: 'k', title: `t${n}` }),
  notBeforeMs,
});

export function describePushStore(
  name: string,
  newTarget: StoreTargetFactory,
  options: PushStoreOptions,
): void {
  describe(`PushSubscriptionStore contract: ${name}`, () => {
    const { setup, openOn } = useStoreHarness(newTarget);
    /** A store on a target of its own: claims take every org's deliveries, so tests that claim need one. */
    const alone = async () => ({ store: await openOn(await newTarget()), org: freshOrg() });

    it('keeps what was registered, oldest first, without echoing other users', async () => {
      const { store, org, advanceMs } = await setup();
      expect(await store.push.register(org, 'ann', sub(1, 'phone'), 10)).toEqual({
        count: 1,
        replaced: 0,
      });
      advanceMs(1000);
      await store.push.register(org, 'ann', sub(2), 10);
      await store.push.register(org, 'bob', sub(3), 10);
      expect(await store.push.list(org, 'ann')).toEqual([
        { ...sub(1, 'phone'), createdAtMs: START_MS },
        { ...sub(2), createdAtMs: START_MS + 1000 },
      ]);
      expect((await store.push.list(org, 'bob')).map((s) => s.endpoint)).toEqual([sub(3).endpoint]);
      expect(await store.push.list(org, 'cy')).toEqual([]);
    });

    it('replaces the keys of an endpoint registered again and makes it the newest', async () => {
      const { store, org } = await setup();
      await store.push.register(org, 'ann', sub(1), 10);
      await store.push.register(org, 'ann', sub(2), 10);
      const again = { ...sub(1, 'laptop'), p256dh: 'new-key', auth: 'new-auth' };
      expect(await store.push.register(org, 'ann', again, 10)).toEqual({ count: 2, replaced: 0 });
      const list = await store.push.list(org, 'ann');
      expect(list.map((s) => s.endpoint)).toEqual([sub(2).endpoint, sub(1).endpoint]);
      expect(list[1]).toMatchObject({ p256dh: 'new-key', auth: 'new-auth', device: 'laptop' });
    });

    it('drops the oldest subscriptions past the cap', async () => {
      const { store, org } = await setup();
      for (let i = 1; i <= 3; i++) await store.push.register(org, 'ann', sub(i), 3);
      expect(await store.push.register(org, 'ann', sub(4), 3)).toEqual({ count: 3, replaced: 1 });
      expect((await store.push.list(org, 'ann')).map((s) => s.endpoint)).toEqual(
        [2, 3, 4].map((i) => sub(i).endpoint),
      );
    });

    it('unregisters only the caller’s own endpoint', async () => {
      const { store, org } = await setup();
      await store.push.register(org, 'ann', sub(1), 10);
      await store.push.register(org, 'bob', sub(1), 10);
      expect(await store.push.unregister(org, 'ann', sub(1).endpoint)).toBe(true);
      expect(await store.push.unregister(org, 'ann', sub(1).endpoint)).toBe(false);
      expect(await store.push.list(org, 'bob')).toHaveLength(1);
    });

    it('keeps tenants apart, even for the same user and endpoint', async () => {
      const { store, org } = await setup();
      const other = freshOrg();
      await store.push.register(org, 'ann', sub(1), 10);
      await store.push.register(other, 'ann', sub(1), 10);
      expect(await store.push.removeEndpoint(other, sub(1).endpoint)).toBe(1);
      expect(await store.push.list(org, 'ann')).toHaveLength(1);
      expect(await store.push.list(other, 'ann')).toEqual([]);
      expect(await store.push.unregister(other, 'ann', sub(1).endpoint)).toBe(false);
      await store.push.enqueue([delivery(org, 'ann', 1)]);
      expect(await store.push.pending(other)).toEqual([]);
    });

    it('forgets a gone endpoint for every user of the org', async () => {
      const { store, org } = await setup();
      await store.push.register(org, 'ann', sub(1), 10);
      await store.push.register(org, 'bob', sub(1), 10);
      await store.push.register(org, 'bob', sub(2), 10);
      expect(await store.push.removeEndpoint(org, sub(1).endpoint)).toBe(2);
      expect(await store.push.list(org, 'ann')).toEqual([]);
      expect((await store.push.list(org, 'bob')).map((s) => s.endpoint)).toEqual([sub(2).endpoint]);
    });

    it('queues deliveries only for users with a subscription', async () => {
      const { store, org } = await setup();
      await store.push.register(org, 'ann', sub(1), 10);
      const queued = await store.push.enqueue([
        delivery(org, 'ann', 1),
        delivery(org, 'bob', 2),
        delivery(org, 'ann', 3, START_MS + 5000),
      ]);
      expect(queued).toBe(2);
      expect(await store.push.pending(org)).toEqual([
        { ...delivery(org, 'ann', 1), id: expect.any(String) as unknown, attempts: 0 },
        {
          ...delivery(org, 'ann', 3, START_MS + 5000),
          id: expect.any(String) as unknown,
          attempts: 0,
        },
      ]);
    });

    it('claims what is due, earliest first, and leases it until finished or expired', async () => {
      const { store, org } = await alone();
      await store.push.register(org, 'ann', sub(1), 10);
      await store.push.enqueue([
        delivery(org, 'ann', 1, START_MS + 2000),
        delivery(org, 'ann', 2, START_MS + 1000),
        delivery(org, 'ann', 3, START_MS + 100_000),
      ]);
      expect(await store.push.claimDue(START_MS, 10, 60_000)).toEqual([]);
      const first = await store.push.claimDue(START_MS + 2000, 10, 60_000);
      expect(first.map((d) => d.notificationId)).toEqual(['2', '1']);
      // Leased: nobody else gets them, though they are still pending.
      expect(await store.push.claimDue(START_MS + 3000, 10, 60_000)).toEqual([]);
      expect(await store.push.pending(org)).toHaveLength(3);
      await store.push.finish(first[0]?.id ?? '', []);
      // The lease of the other one ran out (its sender died): it is claimed again.
      const again = await store.push.claimDue(START_MS + 62_001, 10, 60_000);
      expect(again.map((d) => d.notificationId)).toEqual(['1']);
      expect((await store.push.pending(org)).map((d) => d.notificationId)).toEqual(['1', '3']);
    });

    it('turns a finished delivery into its retries, one per endpoint', async () => {
      const { store, org } = await alone();
      await store.push.register(org, 'ann', sub(1), 10);
      await store.push.enqueue([delivery(org, 'ann', 7)]);
      const [claimed] = await store.push.claimDue(START_MS, 10, 60_000);
      if (claimed === undefined) throw new Error('nothing claimed');
      await store.push.finish(claimed.id, [
        { endpoint: sub(1).endpoint, notBeforeMs: START_MS + 30_000, attempts: 1 },
        { endpoint: sub(2).endpoint, notBeforeMs: START_MS + 60_000, attempts: 2 },
      ]);
      const pending = await store.push.pending(org);
      expect(pending).toEqual([
        {
          ...delivery(org, 'ann', 7, START_MS + 30_000),
          id: expect.any(String) as unknown,
          endpoint: sub(1).endpoint,
          attempts: 1,
        },
        {
          ...delivery(org, 'ann', 7, START_MS + 60_000),
          id: expect.any(String) as unknown,
          endpoint: sub(2).endpoint,
          attempts: 2,
        },
      ]);
      expect(pending.map((d) => d.id)).not.toContain(claimed.id);
      const later = await store.push.claimDue(START_MS + 30_000, 10, 60_000);
      expect(later.map((d) => d.endpoint)).toEqual([sub(1).endpoint]);
    });

    // Only a backend that two stores can open at once (SQLite's file, PostgreSQL) has this case;
    // the memory store is one process's alone.
    if (options.sharedTarget)
      it('lets two stores on one database claim each delivery once', async () => {
        const target = await newTarget();
        const org = freshOrg();
        const a = await openOn(target);
        const b = await openOn(target);
        await a.push.register(org, 'ann', sub(1), 10);
        await a.push.enqueue(Array.from({ length: 40 }, (_, i) => delivery(org, 'ann', i)));
        const taken: string[] = [];
        const drain = async (store: typeof a): Promise<void> => {
          for (;;) {
            const batch = await store.push.claimDue(START_MS, 3, 60_000);
            if (batch.length === 0) return;
            taken.push(...batch.map((d) => d.notificationId));
          }
        };
        await Promise.all([drain(a), drain(b), drain(a), drain(b)]);
        expect(taken.sort((x, y) => Number(x) - Number(y))).toEqual(
          Array.from({ length: 40 }, (_, i) => String(i)),
        );
      });

    it('rejects with StoreUnavailableError once closed', async () => {
      const { store, org } = await setup({ own: true });
      await store.close();
      const calls = [
        store.push.register(org, 'ann', sub(1), 10),
        store.push.list(org, 'ann'),
        store.push.enqueue([delivery(org, 'ann', 1)]),
        store.push.claimDue(START_MS, 1, 1000),
      ];
      for (const call of calls)
        expect(await rejectionOf(call)).toBeInstanceOf(StoreUnavailableError);
    });
  });
}
