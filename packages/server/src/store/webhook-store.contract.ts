/**
 * The contract every `WebhookStore` passes (webhook-store.ts), run by memory.test.ts,
 * sqlite.test.ts and postgres.test.ts. Each test uses fresh org names on the suite's shared
 * target; counts are compared before and after, since other tests write the same table.
 */
import { describe, expect, it } from 'vitest';
import { freshOrg, useStoreHarness, type StoreTargetFactory } from './store-kit.contract.js';
import type { ClaimOptions, NewWebhook, WebhookStore } from './webhook-store.js';

let counter = 0;
const hook = (org: string, type = 'user.online'): NewWebhook => ({
  id: `wh_${String(++counter).padStart(6, '0')}_${org}`,
  org,
  type,
  body: JSON.stringify({ org, n: counter }),
});

const claimAll = (
  store: WebhookStore,
  extra: Partial<ClaimOptions> = {},
): ReturnType<WebhookStore['claim']> =>
  store.claim({ limit: 1000, leaseMs: 10_000, perOrgMax: 1000, busy: new Map(), ...extra });

/** Claims, keeping only this test's orgs (other tests' rows may be due on a shared target). */
async function claimOf(
  store: WebhookStore,
  orgs: readonly string[],
  extra: Partial<ClaimOptions> = {},
): Promise<string[]> {
  const rows = await claimAll(store, extra);
  return rows.filter((r) => orgs.includes(r.org)).map((r) => r.id);
}

export function describeWebhookStore(name: string, newTarget: StoreTargetFactory): void {
  describe(`${name} webhooks (WebhookStore contract)`, () => {
    const { setup, openOn, shared } = useStoreHarness(newTarget);

    it('hands a due row to one claim, with its body byte for byte and one attempt counted', async () => {
      const { store, org } = await setup({ own: true });
      const w = { ...hook(org), body: '{"z":1,"a":"\\u0000é"}' };
      await store.webhooks.enqueue([w]);
      await store.webhooks.enqueue([{ ...w, body: 'ignored: the id was written before' }]);
      const [row, ...rest] = (await claimAll(store.webhooks)).filter((r) => r.org === org);
      expect(rest).toEqual([]);
      expect(row).toMatchObject({ id: w.id, org, type: 'user.online', body: w.body, attempts: 1 });
      expect(row?.state).toBe('pending');
      expect(await claimOf(store.webhooks, [org])).toEqual([]);
    });

    it('hands a row out again once its lease ran out, counting the attempt', async () => {
      const { store, org, advanceMs } = await setup({ own: true });
      const w = hook(org);
      await store.webhooks.enqueue([w]);
      expect(await claimOf(store.webhooks, [org], { leaseMs: 1000 })).toEqual([w.id]);
      advanceMs(999);
      expect(await claimOf(store.webhooks, [org])).toEqual([]);
      advanceMs(1);
      const again = (await claimAll(store.webhooks)).find((r) => r.id === w.id);
      expect(again?.attempts).toBe(2);
      // The first sender's lease is fenced off: its late answer changes nothing.
      expect(await store.webhooks.succeeded(w.id, 1)).toBe(false);
      expect(await store.webhooks.succeeded(w.id, 2)).toBe(true);
      expect(await store.webhooks.succeeded(w.id, 2)).toBe(false);
    });

    it('claims in due order, at most limit rows, and at most perOrgMax minus busy per org', async () => {
      const { store, advanceMs } = await setup({ own: true });
      const [a, b] = [freshOrg(), freshOrg()];
      const rows: NewWebhook[] = [];
      for (let i = 0; i < 5; i++) {
        rows.push(hook(a), hook(b));
        await store.webhooks.enqueue(rows.slice(-2));
        advanceMs(1);
      }
      const first = await claimOf(store.webhooks, [a, b], {
        perOrgMax: 2,
        busy: new Map([[a, 1]]),
      });
      // One of a (2 minus 1 busy), two of b, oldest first.
      expect(first).toEqual([rows[0]?.id, rows[1]?.id, rows[3]?.id]);
      const second = await claimOf(store.webhooks, [a, b], { limit: 2 });
      expect(second).toEqual([rows[2]?.id, rows[4]?.id]);
    });

    it('schedules a retry, keeps the last status and error, and dead-letters on request', async () => {
      const { store, org, advanceMs } = await setup({ own: true });
      const w = hook(org);
      await store.webhooks.enqueue([w]);
      await claimAll(store.webhooks);
      expect(
        await store.webhooks.failed(w.id, 1, { retryInMs: 500, status: 500, error: 'HTTP 500' }),
      ).toBe(true);
      expect(await store.webhooks.failed(w.id, 1, { error: 'stale' })).toBe(true);
      // The second call was the same attempt: made the row dead. Nothing is due or leased now.
      expect(await claimOf(store.webhooks, [org])).toEqual([]);
      const [dead] = await store.webhooks.dead(org, { limit: 10 });
      expect(dead).toMatchObject({ id: w.id, state: 'dead', attempts: 1, lastError: 'stale' });
      expect(dead?.lastStatus).toBeUndefined();

      const v = hook(org);
      await store.webhooks.enqueue([v]);
      await claimAll(store.webhooks);
      await store.webhooks.failed(v.id, 1, { retryInMs: 500, status: 503, error: 'HTTP 503' });
      advanceMs(499);
      expect(await claimOf(store.webhooks, [org])).toEqual([]);
      advanceMs(1);
      const [retried] = (await claimAll(store.webhooks)).filter((r) => r.id === v.id);
      expect(retried).toMatchObject({ attempts: 2, lastStatus: 503, lastError: 'HTTP 503' });
    });

    it('lists dead letters per org only, pages by id, and requeues them with retry', async () => {
      const { store } = await setup({ own: true });
      const [a, b] = [freshOrg(), freshOrg()];
      const rows = [hook(a), hook(a), hook(a), hook(b)];
      await store.webhooks.enqueue(rows);
      for (const r of await claimAll(store.webhooks))
        if (r.org === a || r.org === b) await store.webhooks.failed(r.id, 1, { error: 'gone' });
      const page = await store.webhooks.dead(a, { limit: 2 });
      expect(page.map((r) => r.id)).toEqual([rows[0]?.id, rows[1]?.id]);
      const next = await store.webhooks.dead(a, { limit: 2, after: rows[1]?.id ?? '' });
      expect(next.map((r) => r.id)).toEqual([rows[2]?.id]);
      expect((await store.webhooks.dead(b, { limit: 10 })).map((r) => r.id)).toEqual([rows[3]?.id]);

      // b's id, an unknown id and a repeat are skipped: an org requeues only its own.
      const ids = [rows[0]?.id ?? '', rows[3]?.id ?? '', 'nope', rows[0]?.id ?? ''];
      expect(await store.webhooks.retry(a, ids)).toEqual([rows[0]?.id]);
      expect((await store.webhooks.dead(a, { limit: 10 })).map((r) => r.id)).toEqual([
        rows[1]?.id,
        rows[2]?.id,
      ]);
      const [again] = (await claimAll(store.webhooks)).filter((r) => r.id === rows[0]?.id);
      expect(again?.attempts).toBe(1);
    });

    it('counts pending and dead rows', async () => {
      const { store, org } = await setup({ own: true });
      const before = await store.webhooks.counts();
      const rows = [hook(org), hook(org), hook(org)];
      await store.webhooks.enqueue(rows);
      const claimed = await claimAll(store.webhooks);
      const mine = claimed.filter((r) => r.org === org);
      await store.webhooks.failed(mine[0]?.id ?? '', 1, { error: 'gone' });
      await store.webhooks.succeeded(mine[1]?.id ?? '', 1);
      const after = await store.webhooks.counts();
      expect(after.dead - before.dead).toBe(1);
      expect(after.pending - before.pending).toBe(1);
    });

    it('keeps queued rows across a reopen of the same target', async () => {
      const { store, org } = await setup({ own: true });
      const w = hook(org);
      await store.webhooks.enqueue([w]);
      await store.close();
      const reopened = await openOn(shared());
      const ids = await claimOf(reopened.webhooks, [org]);
      // A memory store forgets on close; a durable one keeps the row.
      expect(ids.length === 0 || ids[0] === w.id).toBe(true);
    });
  });
}
