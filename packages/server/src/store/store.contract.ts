/**
 * The inbox contract every `Store` passes (STYLE rule 2): create, list, markRead, markAllRead
 * and unreadCount, tenant isolation, validation and the fields kept. A `*.test.ts` per backend
 * calls `describeStore(name, newTarget)` and `describeStoreLifecycle(name, newTarget, options)`
 * (store-lifecycle.contract.ts); this file is never run on its own.
 *
 * Every test here uses the suite's shared target and a fresh org (store-kit.contract.ts).
 */
import type { JsonValue } from '@hubcast/protocol';
import { describe, expect, it } from 'vitest';
import { NOTIFICATION_LIST_LIMIT_MAX, type CreateInput, type Notification } from './store.js';
import {
  expectBadRequest,
  fill,
  freshOrg,
  iso,
  note,
  START_MS,
  titles,
  to,
  useStoreHarness,
  type StoreTargetFactory,
} from './store-kit.contract.js';

export function describeStore(name: string, newTarget: StoreTargetFactory): void {
  describe(`Store contract: ${name}`, () => {
    const { setup } = useStoreHarness(newTarget);

    describe('create', () => {
      it('writes one notification per user, in order, with the fields given', async () => {
        const { inbox, org } = await setup();
        const users = ['ann', 'bob', 'cy'];
        const result = await inbox.create(org, {
          users,
          notification: note('Hi', { body: 'there', data: { doc: 7 } }),
        });
        expect(result.created).toBe(true);
        expect(result.users).toEqual(users);
        expect(result.ids).toHaveLength(3);
        expect(new Set(result.ids).size).toBe(3);
        expect(result.notifications).toEqual(
          result.ids.map((id) => ({
            id,
            kind: 'mention',
            title: 'Hi',
            body: 'there',
            data: { doc: 7 },
            created_at: iso(START_MS),
          })),
        );
        for (const [i, user] of users.entries()) {
          const { items } = await inbox.list(org, user, { limit: 10 });
          expect(items).toEqual([result.notifications[i]]);
        }
      });

      it('gives a user named twice two notifications', async () => {
        const { inbox, org } = await setup();
        const { ids } = await inbox.create(org, { users: ['ann', 'ann'], notification: note('x') });
        expect(new Set(ids).size).toBe(2);
        expect(await inbox.unreadCount(org, 'ann')).toBe(2);
      });

      it("answers the first call's notifications as they are now when the key repeats", async () => {
        const { inbox, org, advanceMs } = await setup();
        const first = await inbox.create(org, {
          users: ['ann', 'bob'],
          notification: note('first'),
          key: 'k1',
        });
        advanceMs(1000);
        await inbox.markRead(org, 'ann', first.ids.slice(0, 1));
        const [anns, bobs] = first.notifications as [Notification, Notification];
        const again = await inbox.create(org, {
          users: ['cy', 'ann', 'bob'],
          notification: note('changed', { kind: 'other', data: 1 }),
          key: 'k1',
        });
        expect(again).toEqual({
          ids: first.ids,
          users: ['ann', 'bob'],
          created: false,
          notifications: [{ ...anns, read_at: iso(START_MS + 1000) }, bobs],
        });
        // nothing new was written
        expect((await inbox.list(org, 'ann', { limit: 10 })).items).toEqual([
          again.notifications[0],
        ]);
        expect(await inbox.unreadCount(org, 'bob')).toBe(1);
        expect(await inbox.unreadCount(org, 'cy')).toBe(0);
      });

      it('keeps keys per org: the same key in another org creates anew', async () => {
        const { inbox, org } = await setup();
        const other = freshOrg();
        const a = await inbox.create(org, to('ann', 'a', { key: 'same' }));
        const b = await inbox.create(other, to('ann', 'b', { key: 'same' }));
        expect(a.created).toBe(true);
        expect(b.created).toBe(true);
        expect(titles((await inbox.list(other, 'ann', { limit: 10 })).items)).toEqual(['b']);
        expect(titles((await inbox.list(org, 'ann', { limit: 10 })).items)).toEqual(['a']);
      });

      it('creates anew on every call without a key', async () => {
        const { inbox, org } = await setup();
        const a = await inbox.create(org, to('ann', 'same'));
        const b = await inbox.create(org, to('ann', 'same'));
        expect(b.created).toBe(true);
        expect(b.ids).not.toEqual(a.ids);
        expect(await inbox.unreadCount(org, 'ann')).toBe(2);
      });

      it('creates once when calls with one key arrive together', async () => {
        const { inbox, org } = await setup();
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            inbox.create(org, { users: ['ann', 'bob'], notification: note(`t${i}`), key: 'k' }),
          ),
        );
        const created = results.filter((r) => r.created);
        expect(created).toHaveLength(1);
        for (const r of results) expect({ ...r, created: true }).toEqual(created[0]);
        expect(await inbox.unreadCount(org, 'ann')).toBe(1);
        expect(await inbox.unreadCount(org, 'bob')).toBe(1);
      });

      it('records a key for an empty user list too', async () => {
        const { inbox, org } = await setup();
        expect(await inbox.create(org, { users: [], notification: note('x'), key: 'k' })).toEqual({
          ids: [],
          users: [],
          created: true,
          notifications: [],
        });
        expect(await inbox.create(org, to('ann', 'x', { key: 'k' }))).toEqual({
          ids: [],
          users: [],
          created: false,
          notifications: [],
        });
        expect(await inbox.unreadCount(org, 'ann')).toBe(0);
      });

      it("counts ids per org, so one org's traffic does not show in another's ids", async () => {
        const { inbox } = await setup();
        const [quiet, busy, noisy] = [freshOrg(), freshOrg(), freshOrg()];
        const q1 = await inbox.create(quiet, to('ann', 'x'));
        await inbox.create(noisy, { users: ['a', 'b', 'c'], notification: note('x') });
        const q2 = await inbox.create(quiet, to('ann', 'x'));
        const b1 = await inbox.create(busy, to('ann', 'x'));
        const b2 = await inbox.create(busy, to('ann', 'x'));
        expect([...q1.ids, ...q2.ids]).toEqual([...b1.ids, ...b2.ids]);
      });

      it.each<[label: string, input: CreateInput]>([
        ['a title', { users: ['ann'], notification: note('a\u0000b') }],
        ['a kind', { users: ['ann'], notification: { kind: '\u0000', title: 't' } }],
        ['a body', { users: ['ann'], notification: note('t', { body: 'b\u0000' }) }],
        ['a user', { users: ['ann', 'b\u0000b'], notification: note('t') }],
        ['a key', { users: ['ann'], notification: note('t'), key: 'k\u0000' }],
      ])('refuses U+0000 in %s with bad_request and writes nothing', async (_label, input) => {
        const { inbox, org } = await setup();
        await expectBadRequest(inbox.create(org, input));
        expect(await inbox.unreadCount(org, 'ann')).toBe(0);
      });
    });

    describe('list', () => {
      it('lists newest first, stamped by the clock', async () => {
        const { inbox, org, advanceMs } = await setup();
        await inbox.create(org, to('ann', 'old'));
        advanceMs(60_000);
        await inbox.create(org, to('ann', 'new'));
        const { items, more } = await inbox.list(org, 'ann', { limit: 10 });
        expect(titles(items)).toEqual(['new', 'old']);
        expect(items.map((n) => n.created_at)).toEqual([iso(START_MS + 60_000), iso(START_MS)]);
        expect(more).toBe(false);
      });

      it('pages with before and more until the oldest', async () => {
        const { inbox, org } = await setup();
        await fill(inbox, org, 'ann', 7);
        const pages: string[][] = [];
        const mores: boolean[] = [];
        let before: string | undefined;
        for (;;) {
          const page = await inbox.list(org, 'ann', {
            limit: 3,
            ...(before === undefined ? {} : { before }),
          });
          pages.push(titles(page.items));
          mores.push(page.more);
          before = page.items.at(-1)?.id;
          if (!page.more) break;
        }
        expect(pages).toEqual([['n7', 'n6', 'n5'], ['n4', 'n3', 'n2'], ['n1']]);
        expect(mores).toEqual([true, true, false]);
      });

      it('says no more when a page ends exactly at the oldest', async () => {
        const { inbox, org } = await setup();
        const ids = await fill(inbox, org, 'ann', 6);
        expect((await inbox.list(org, 'ann', { limit: 6 })).more).toBe(false);
        const last = await inbox.list(org, 'ann', { limit: 3, before: ids[3] });
        expect(titles(last.items)).toEqual(['n3', 'n2', 'n1']);
        expect(last.more).toBe(false);
      });

      it('keeps paging stable while new notifications arrive', async () => {
        const { inbox, org } = await setup();
        await fill(inbox, org, 'ann', 5);
        const first = await inbox.list(org, 'ann', { limit: 2 });
        await inbox.create(org, to('ann', 'late1'));
        await inbox.create(org, { users: ['ann', 'ann'], notification: note('late2') });
        const second = await inbox.list(org, 'ann', { limit: 2, before: first.items[1]?.id });
        const third = await inbox.list(org, 'ann', { limit: 2, before: second.items[1]?.id });
        expect([first, second, third].map((p) => titles(p.items))).toEqual([
          ['n5', 'n4'],
          ['n3', 'n2'],
          ['n1'],
        ]);
        expect(third.more).toBe(false);
        expect(titles((await inbox.list(org, 'ann', { limit: 3 })).items)).toEqual([
          'late2',
          'late2',
          'late1',
        ]);
      });

      it('lists only unread ones when asked, paging included', async () => {
        const { inbox, org } = await setup();
        const ids = await fill(inbox, org, 'ann', 6);
        await inbox.markRead(org, 'ann', [ids[1] as string, ids[4] as string]);
        const first = await inbox.list(org, 'ann', { limit: 2, unread: true });
        expect(titles(first.items)).toEqual(['n6', 'n4']);
        expect(first.more).toBe(true);
        const second = await inbox.list(org, 'ann', {
          limit: 2,
          unread: true,
          before: first.items[1]?.id,
        });
        expect(titles(second.items)).toEqual(['n3', 'n1']);
        expect(second.more).toBe(false);
        expect(first.items.every((n) => n.read_at === undefined)).toBe(true);
        const all = await inbox.list(org, 'ann', { limit: 10, unread: false });
        expect(all.items).toHaveLength(6);
      });

      it('lists an empty inbox as nothing, without more', async () => {
        const { inbox, org } = await setup();
        expect(await inbox.list(org, 'nobody', { limit: 5 })).toEqual({ items: [], more: false });
        expect(await inbox.list(org, 'nobody', { limit: 5, unread: true })).toEqual({
          items: [],
          more: false,
        });
      });

      it("takes any id as before, even another user's or one that does not exist", async () => {
        const { inbox, org } = await setup();
        await fill(inbox, org, 'ann', 2); // n1, n2
        const { ids: [bobs] = [] } = await inbox.create(org, to('bob', 'b'));
        await fill(inbox, org, 'ann', 1); // n1 again, newest
        const page = await inbox.list(org, 'ann', { limit: 10, before: bobs });
        expect(titles(page.items)).toEqual(['n2', 'n1']);
        expect(await inbox.list(org, 'ann', { limit: 10, before: '0' })).toEqual({
          items: [],
          more: false,
        });
        const far = await inbox.list(org, 'ann', { limit: 10, before: '9007199254740991' });
        expect(far.items).toHaveLength(3);
      });

      it.each([1, NOTIFICATION_LIST_LIMIT_MAX])('takes limit %s', async (limit) => {
        const { inbox, org } = await setup();
        await fill(inbox, org, 'ann', 2);
        const page = await inbox.list(org, 'ann', { limit });
        expect(page.items).toHaveLength(Math.min(limit, 2));
        expect(page.more).toBe(limit < 2);
      });

      it.each([0, -1, 1.5, NOTIFICATION_LIST_LIMIT_MAX + 1, Number.NaN, Infinity])(
        'refuses limit %s with bad_request',
        async (limit) => {
          const { inbox, org } = await setup();
          await expectBadRequest(inbox.list(org, 'ann', { limit }));
        },
      );

      it.each([
        '',
        'abc',
        '-1',
        '1.5',
        '01', // ids have one spelling
        ' 1',
        '1e3',
        '99999999999999999999', // past 2^53
      ])('refuses before %j with bad_request', async (before) => {
        const { inbox, org } = await setup();
        await expectBadRequest(inbox.list(org, 'ann', { limit: 5, before }));
      });
    });

    describe('markRead', () => {
      it('marks own unread ones and answers exactly those, in the order given', async () => {
        const { inbox, org, advanceMs } = await setup();
        const [n1, n2, n3, n4] = (await fill(inbox, org, 'ann', 4)) as [
          string,
          string,
          string,
          string,
        ];
        const { ids: [bobs] = [] } = await inbox.create(org, to('bob', 'b'));
        advanceMs(5000);
        expect(await inbox.markRead(org, 'ann', [n3, n1])).toEqual([n3, n1]);
        expect(await inbox.unreadCount(org, 'ann')).toBe(2);
        advanceMs(5000);
        const changed = await inbox.markRead(org, 'ann', [
          n1, // already read
          n2,
          n2, // twice: answered once
          bobs as string, // another user's
          'garbage',
          '',
          `0${n4}`, // not the id's spelling
          n4,
        ]);
        expect(changed).toEqual([n2, n4]);
        expect(await inbox.markRead(org, 'ann', [n1, n2, n3, n4])).toEqual([]);
        const { items } = await inbox.list(org, 'ann', { limit: 10 });
        expect(items.map((n) => [n.title, n.read_at])).toEqual([
          ['n4', iso(START_MS + 10_000)],
          ['n3', iso(START_MS + 5000)],
          ['n2', iso(START_MS + 10_000)],
          ['n1', iso(START_MS + 5000)],
        ]);
        expect(await inbox.unreadCount(org, 'bob')).toBe(1);
      });

      it('changes nothing in another org, even for the same user and id', async () => {
        const { inbox, org } = await setup();
        const other = freshOrg();
        const mine = await fill(inbox, org, 'ann', 2);
        const theirs = await fill(inbox, other, 'ann', 2);
        expect(await inbox.markRead(org, 'ann', [...theirs, ...mine])).toEqual(
          [...theirs, ...mine].filter((id, i, all) => mine.includes(id) && all.indexOf(id) === i),
        );
        expect(await inbox.unreadCount(org, 'ann')).toBe(0);
        expect(await inbox.unreadCount(other, 'ann')).toBe(2);
      });

      it('answers nothing for no ids', async () => {
        const { inbox, org } = await setup();
        await fill(inbox, org, 'ann', 1);
        expect(await inbox.markRead(org, 'ann', [])).toEqual([]);
        expect(await inbox.unreadCount(org, 'ann')).toBe(1);
      });
    });

    describe('markAllRead and unreadCount', () => {
      it("marks all of the user's unread ones and counts them", async () => {
        const { inbox, org, advanceMs } = await setup();
        const other = freshOrg();
        const [first] = await fill(inbox, org, 'ann', 3);
        await fill(inbox, org, 'bob', 2);
        await fill(inbox, other, 'ann', 2);
        await inbox.markRead(org, 'ann', [first as string]);
        advanceMs(2000);
        expect(await inbox.unreadCount(org, 'ann')).toBe(2);
        expect(await inbox.markAllRead(org, 'ann')).toBe(2);
        expect(await inbox.markAllRead(org, 'ann')).toBe(0);
        expect(await inbox.unreadCount(org, 'ann')).toBe(0);
        const { items } = await inbox.list(org, 'ann', { limit: 10 });
        // the one read before keeps its time
        expect(items.map((n) => n.read_at)).toEqual([
          iso(START_MS + 2000),
          iso(START_MS + 2000),
          iso(START_MS),
        ]);
        expect(await inbox.unreadCount(org, 'bob')).toBe(2);
        expect(await inbox.unreadCount(other, 'ann')).toBe(2);
      });

      it('counts zero for an unknown user', async () => {
        const { inbox, org } = await setup();
        expect(await inbox.unreadCount(org, 'nobody')).toBe(0);
        expect(await inbox.markAllRead(org, 'nobody')).toBe(0);
      });
    });

    describe('tenant isolation', () => {
      it('keeps the inboxes of one user name in two orgs apart', async () => {
        const { inbox, org: a } = await setup();
        const b = freshOrg();
        await inbox.create(a, to('ann', 'in a'));
        await inbox.create(b, { users: ['ann', 'ann'], notification: note('in b') });
        expect(titles((await inbox.list(a, 'ann', { limit: 10 })).items)).toEqual(['in a']);
        expect(titles((await inbox.list(b, 'ann', { limit: 10 })).items)).toEqual(['in b', 'in b']);
        expect(await inbox.markAllRead(b, 'ann')).toBe(2);
        expect(await inbox.unreadCount(a, 'ann')).toBe(1);
        expect((await inbox.list(a, 'ann', { limit: 10, unread: true })).items).toHaveLength(1);
      });
    });

    describe('fields', () => {
      it.each<[label: string, data: JsonValue]>([
        ['null', null],
        ['zero', 0],
        ['a negative decimal', -12.5],
        ['a large number', 1e21],
        ['false', false],
        ['an empty string', ''],
        ['text with escapes and unicode', 'ünï "q" \\ \n\t ✓ 💥 \u2028 \u0000 </script>'],
        ['an empty array', []],
        ['a mixed array', [1, 'a', null, true, { b: [] }]],
        ['an empty object', {}],
        ['a nested object', { user: { name: 'Ann', tags: ['x', 'y'] }, n: 3, z: null }],
      ])('keeps data: %s', async (_label, data) => {
        const { inbox, org } = await setup();
        const { notifications } = await inbox.create(
          org,
          to('ann', 't', { notification: note('t', { data }) }),
        );
        expect(notifications[0]?.data).toEqual(data);
        const [listed] = (await inbox.list(org, 'ann', { limit: 1 })).items;
        expect(listed).toHaveProperty('data');
        expect(listed?.data).toEqual(data);
      });

      it('leaves body, data and read_at out when there are none', async () => {
        const { inbox, org } = await setup();
        await inbox.create(org, to('ann', 'bare'));
        const [listed] = (await inbox.list(org, 'ann', { limit: 1 })).items;
        expect(listed).toEqual({
          id: expect.any(String) as unknown,
          kind: 'mention',
          title: 'bare',
          created_at: iso(START_MS),
        });
        expect(Object.keys(listed ?? {}).sort()).toEqual(['created_at', 'id', 'kind', 'title']);
      });

      it('keeps unicode in kind, title, body and names', async () => {
        const { inbox, org } = await setup();
        const text = { kind: 'ünï.✓', title: 'Grüße 💥 \u2028', body: '日本語 "q" \\' };
        await inbox.create(org, { users: ['zoë'], notification: text });
        const [listed] = (await inbox.list(org, 'zoë', { limit: 1 })).items;
        expect(listed).toMatchObject(text);
      });

      it('writes times as RFC 3339 UTC with milliseconds', async () => {
        const { inbox, org, advanceMs } = await setup();
        advanceMs(1234);
        const { ids } = await inbox.create(org, to('ann', 't'));
        advanceMs(1);
        await inbox.markRead(org, 'ann', ids);
        const [listed] = (await inbox.list(org, 'ann', { limit: 1 })).items;
        expect(listed?.created_at).toBe('2023-11-14T22:13:21.234Z');
        expect(listed?.read_at).toBe('2023-11-14T22:13:21.235Z');
      });
    });
  });
}
