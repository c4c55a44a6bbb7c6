/**
 * The contract every `FollowUpStore` passes (STYLE rule 2): a create records its follow-up in
 * its own transaction, claims lease, and a completion queues its pushes and webhooks exactly
 * once, fenced by the claim count. `memory.test.ts`, `sqlite.test.ts` and `postgres.test.ts`
 * call `describeFollowUpStore`; never run on its own.
 */
import { describe, expect, it } from 'vitest';
import {
  freshOrg,
  rejectionOf,
  START_MS,
  to,
  useStoreHarness,
  type StoreTargetFactory,
} from './store-kit.contract.js';
import type { FollowUpWork } from './follow-up-store.js';
import { StoreUnavailableError, type Store } from './store.js';

export interface FollowUpStoreOptions {
  /** Stores opened on one target share their data (false for memory). */
  sharedTarget: boolean;
}

const LEASE_MS = 60_000;
const sub = { endpoint: 'https://push.example/ep/1', p256dh: 'k', auth: 'a' };

/** A push per user and one webhook, for the follow-up's notifications. */
function workFor(org: string, users: readonly string[], ids: readonly string[]): FollowUpWork {
  return {
    pushes: users.map((user, i) => ({
      org,
      user,
      notificationId: ids[i] ?? '',
      payload: `{"id":"${ids[i] ?? ''}"}`,
      notBeforeMs: START_MS,
    })),
    webhooks: [{ id: `wh_${org}`, org, type: 'notification.undelivered', body: '{}' }],
  };
}

export function describeFollowUpStore(
  name: string,
  newTarget: StoreTargetFactory,
  options: FollowUpStoreOptions,
): void {
  describe(`FollowUpStore contract: ${name}`, () => {
    const { openOn } = useStoreHarness(newTarget);
    /** Claims take every org's follow-ups, so each test has a database of its own. */
    const alone = async (): Promise<{ store: Store; org: string }> => ({
      store: await openOn(await newTarget()),
      org: freshOrg(),
    });

    it('records one with a create that asks for it, and none for a repeated key', async () => {
      const { store, org } = await alone();
      await store.notifications.create(org, to('ann', 'plain'));
      const made = await store.notifications.create(org, {
        users: ['ann', 'bob', 'ann'],
        notification: { kind: 'k', title: 'hello', data: { n: 1 } },
        key: 'once',
        followUp: { quiet: { start: '22:00', end: '07:00' } },
      });
      await store.notifications.create(org, {
        ...to('ann', 'hello'),
        key: 'once',
        followUp: { again: true },
      });
      expect(await store.followUps.count()).toBe(1);
      const [claimed, ...rest] = await store.followUps.claim(START_MS, 10, LEASE_MS);
      expect(rest).toEqual([]);
      expect(claimed).toMatchObject({
        org,
        claims: 1,
        users: ['ann', 'bob', 'ann'],
        data: { quiet: { start: '22:00', end: '07:00' } },
      });
      expect(claimed?.notifications).toEqual(made.notifications);
    });

    it('leases a claimed one until its lease runs out, then counts the next claim', async () => {
      const { store, org } = await alone();
      await store.notifications.create(org, { ...to('ann', 'a'), followUp: null });
      await store.notifications.create(org, { ...to('bob', 'b'), followUp: 2 });
      const first = await store.followUps.claim(START_MS, 1, LEASE_MS);
      expect(first.map((f) => f.data)).toEqual([null]);
      // The leased one is skipped; the next one is taken.
      const second = await store.followUps.claim(START_MS + 1, 10, LEASE_MS);
      expect(second.map((f) => f.data)).toEqual([2]);
      expect(await store.followUps.claim(START_MS + LEASE_MS - 1, 10, LEASE_MS)).toEqual([]);
      const again = await store.followUps.claim(START_MS + LEASE_MS, 10, LEASE_MS);
      expect(again.map((f) => [f.id, f.claims])).toEqual([[first[0]?.id, 2]]);
    });

    it('hands a released follow-up to the first claim at its retry time, not a stale release', async () => {
      const { store, org } = await alone();
      await store.notifications.create(org, { ...to('ann', 'a'), followUp: 1 });
      await store.notifications.create(org, { ...to('bob', 'b'), followUp: 2 });
      const [first] = await store.followUps.claim(START_MS, 1, LEASE_MS);
      if (first === undefined) throw new Error('nothing claimed');
      // A backoff far shorter than the lease: the oldest one waits, the next one is claimed.
      await store.followUps.release(first.id, first.claims, START_MS + 5_000);
      const others = await store.followUps.claim(START_MS + 4_999, 10, LEASE_MS);
      expect(others.map((f) => f.data)).toEqual([2]);
      const [second] = await store.followUps.claim(START_MS + 5_000, 10, LEASE_MS);
      expect(second).toMatchObject({ id: first.id, claims: 2 });
      // The first claimer's release comes too late: the second claim keeps its lease.
      await store.followUps.release(first.id, first.claims, START_MS);
      expect(await store.followUps.claim(START_MS + 5_001, 10, LEASE_MS)).toEqual([]);
    });

    it('drops a follow-up completed with no work, queueing nothing', async () => {
      const { store, org } = await alone();
      await store.push.register(org, 'ann', sub, 10);
      await store.notifications.create(org, { ...to('ann', 'a'), followUp: 1 });
      let claimed = await store.followUps.claim(START_MS, 10, LEASE_MS);
      // Claims keep counting across releases: what the relay's cap goes by.
      for (let i = 1; i < 4; i++) {
        const [f] = claimed;
        if (f === undefined) throw new Error('nothing claimed');
        expect(f.claims).toBe(i);
        await store.followUps.release(f.id, f.claims, START_MS + i);
        claimed = await store.followUps.claim(START_MS + i, 10, LEASE_MS);
      }
      const [last] = claimed;
      if (last === undefined) throw new Error('nothing claimed');
      expect(last.claims).toBe(4);
      const empty = { pushes: [], webhooks: [] };
      expect(await store.followUps.complete(last.id, last.claims, empty)).toEqual({
        done: true,
        pushes: 0,
      });
      expect(await store.followUps.count()).toBe(0);
      expect(await store.push.pending(org)).toEqual([]);
      expect((await store.webhooks.counts()).pending).toBe(0);
    });

    it('queues the work and forgets the follow-up in one step, once', async () => {
      const { store, org } = await alone();
      await store.push.register(org, 'ann', sub, 10);
      const { ids } = await store.notifications.create(org, {
        users: ['ann', 'bob'],
        notification: { kind: 'k', title: 't' },
        followUp: {},
      });
      const [f] = await store.followUps.claim(START_MS, 10, LEASE_MS);
      if (f === undefined) throw new Error('nothing claimed');
      const work = workFor(org, f.users, ids);
      // Bob has no subscription: his push is not queued.
      expect(await store.followUps.complete(f.id, f.claims, work)).toEqual({
        done: true,
        pushes: 1,
      });
      expect(await store.followUps.complete(f.id, f.claims, work)).toEqual({
        done: false,
        pushes: 0,
      });
      expect(await store.followUps.count()).toBe(0);
      expect((await store.push.pending(org)).map((d) => d.notificationId)).toEqual([ids[0]]);
      expect((await store.webhooks.counts()).pending).toBe(1);
    });

    it('writes nothing for a claimer whose lease was taken over', async () => {
      const { store, org } = await alone();
      await store.push.register(org, 'ann', sub, 10);
      const { ids } = await store.notifications.create(org, { ...to('ann', 'a'), followUp: 1 });
      const [stale] = await store.followUps.claim(START_MS, 10, LEASE_MS);
      const [fresh] = await store.followUps.claim(START_MS + LEASE_MS, 10, LEASE_MS);
      if (stale === undefined || fresh === undefined) throw new Error('nothing claimed');
      const work = workFor(org, ['ann'], ids);
      expect(await store.followUps.complete(stale.id, stale.claims, work)).toEqual({
        done: false,
        pushes: 0,
      });
      expect(await store.push.pending(org)).toEqual([]);
      expect((await store.webhooks.counts()).pending).toBe(0);
      expect((await store.followUps.complete(fresh.id, fresh.claims, work)).done).toBe(true);
      expect(await store.push.pending(org)).toHaveLength(1);
    });

    // Only a backend that two stores can open at once (SQLite's file, PostgreSQL) has this case.
    if (options.sharedTarget)
      it('lets two stores on one database complete each follow-up once', async () => {
        const target = await newTarget();
        const org = freshOrg();
        const a = await openOn(target);
        const b = await openOn(target);
        await a.push.register(org, 'ann', sub, 10);
        for (let i = 0; i < 30; i++)
          await a.notifications.create(org, { ...to('ann', `n${i}`), followUp: i });
        const done: number[] = [];
        const drain = async (store: Store): Promise<void> => {
          for (;;) {
            const batch = await store.followUps.claim(START_MS, 3, LEASE_MS);
            if (batch.length === 0) return;
            for (const f of batch) {
              const work = workFor(
                org,
                f.users,
                f.notifications.map((n) => n.id),
              );
              const r = await store.followUps.complete(f.id, f.claims, {
                ...work,
                webhooks: [{ ...work.webhooks[0]!, id: `wh_${f.id}` }],
              });
              if (r.done) done.push(f.data as number);
            }
          }
        };
        await Promise.all([drain(a), drain(b), drain(a), drain(b)]);
        expect(done.sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i));
        expect(await a.push.pending(org)).toHaveLength(30);
        expect((await a.webhooks.counts()).pending).toBe(30);
      });

    it('rejects with StoreUnavailableError once closed', async () => {
      const { store } = await alone();
      await store.close();
      const calls = [
        store.followUps.claim(START_MS, 1, LEASE_MS),
        store.followUps.complete('1', 1, { pushes: [], webhooks: [] }),
        store.followUps.release('1', 1, START_MS),
        store.followUps.count(),
      ];
      for (const call of calls)
        expect(await rejectionOf(call)).toBeInstanceOf(StoreUnavailableError);
    });
  });
}
