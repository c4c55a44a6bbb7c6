/**
 * The contract every `Presence` passes (STYLE rule 2). A `*.test.ts` per implementation calls
 * `describePresence(name, create)`; this file is never run on its own.
 *
 * Each test uses fresh org names, so presences made by one factory may share a backend. The
 * order of members and of their devices is not part of the contract: tests sort them.
 */
import { randomBytes } from 'node:crypto';
import type { PresenceMember } from '@hubcast/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { Presence } from './presence.js';

export type PresenceFactory = () => Promise<Presence> | Presence;

let orgCounter = 0;
const freshOrg = (): string => `p${++orgCounter}-${randomBytes(4).toString('hex')}`;

/** Members sorted by user, devices sorted: a stable shape to compare. */
function sorted(members: readonly PresenceMember[]): PresenceMember[] {
  return [...members]
    .map((m) => ({ ...m, devices: [...m.devices].sort() }))
    .sort((a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : 0));
}

export function describePresence(name: string, create: PresenceFactory): void {
  describe(`Presence contract: ${name}`, () => {
    const open: Presence[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((p) => p.close()));
    });

    async function setup(): Promise<{ presence: Presence; org: string }> {
      const presence = await create();
      open.push(presence);
      return { presence, org: freshOrg() };
    }

    it('reports firstForUser only for the first session of a user on a channel', async () => {
      const { presence, org } = await setup();
      expect(await presence.add(org, 'room', 's1', { user: 'alice', device: 'laptop' })).toEqual({
        firstForUser: true,
      });
      expect(await presence.add(org, 'room', 's2', { user: 'alice', device: 'phone' })).toEqual({
        firstForUser: false,
      });
      expect(await presence.add(org, 'room', 's3', { user: 'bob' })).toEqual({
        firstForUser: true,
      });
    });

    it('counts a session added twice once, with the entry it was added with last', async () => {
      const { presence, org } = await setup();
      expect(await presence.add(org, 'room', 's1', { user: 'alice', device: 'laptop' })).toEqual({
        firstForUser: true,
      });
      // A resubscribe on the same connection: the same session again, with new info.
      expect(
        await presence.add(org, 'room', 's1', { user: 'alice', device: 'phone', info: 'away' }),
      ).toEqual({ firstForUser: false });
      expect(sorted(await presence.members(org, 'room'))).toEqual([
        { user: 'alice', info: 'away', connections: 1, devices: ['phone'] },
      ]);
      expect(await presence.remove(org, 'room', 's1')).toEqual({
        lastForUser: true,
        user: 'alice',
      });
      expect(await presence.members(org, 'room')).toEqual([]);
    });

    it('keeps only the entry fields, whatever else the object passed holds', async () => {
      const { presence, org } = await setup();
      // The tracker passes its session subject, which also holds id and org.
      const subject = { id: 's1', org, user: 'alice', device: 'laptop', info: null };
      await presence.add(org, 'room', 's1', subject);
      expect(await presence.members(org, 'room')).toEqual([
        { user: 'alice', info: null, connections: 1, devices: ['laptop'] },
      ]);
    });

    it('reports lastForUser only when the last session of the user leaves', async () => {
      const { presence, org } = await setup();
      await presence.add(org, 'room', 's1', { user: 'alice', device: 'laptop' });
      await presence.add(org, 'room', 's2', { user: 'alice', device: 'phone' });
      await presence.add(org, 'room', 's3', { user: 'bob' });
      expect(await presence.remove(org, 'room', 's1')).toEqual({
        lastForUser: false,
        user: 'alice',
      });
      expect(await presence.remove(org, 'room', 's2')).toEqual({
        lastForUser: true,
        user: 'alice',
      });
      expect(await presence.remove(org, 'room', 's3')).toEqual({ lastForUser: true, user: 'bob' });
      expect(await presence.members(org, 'room')).toEqual([]);
    });

    it('treats a user who left entirely as first again on return', async () => {
      const { presence, org } = await setup();
      await presence.add(org, 'room', 's1', { user: 'alice' });
      await presence.remove(org, 'room', 's1');
      expect(await presence.add(org, 'room', 's2', { user: 'alice' })).toEqual({
        firstForUser: true,
      });
    });

    it('lists members with their connection count, distinct devices and info', async () => {
      const { presence, org } = await setup();
      const info = { name: 'Alice', avatar: { url: 'https://a.example/x.png' }, tags: ['admin'] };
      await presence.add(org, 'room', 's1', { user: 'alice', device: 'laptop', info });
      await presence.add(org, 'room', 's2', { user: 'alice', device: 'phone', info });
      await presence.add(org, 'room', 's3', { user: 'alice', device: 'laptop', info }); // a second tab on one device
      await presence.add(org, 'room', 's4', { user: 'bob' });
      expect(sorted(await presence.members(org, 'room'))).toEqual([
        { user: 'alice', info, connections: 3, devices: ['laptop', 'phone'] },
        { user: 'bob', connections: 1, devices: [] },
      ]);
      const bob = (await presence.members(org, 'room')).find((m) => m.user === 'bob');
      expect(bob?.info).toBeUndefined();
    });

    it('updates members as sessions leave', async () => {
      const { presence, org } = await setup();
      await presence.add(org, 'room', 's1', { user: 'alice', device: 'laptop' });
      await presence.add(org, 'room', 's2', { user: 'alice', device: 'phone' });
      await presence.add(org, 'room', 's3', { user: 'bob', device: 'phone' });
      await presence.remove(org, 'room', 's2');
      await presence.remove(org, 'room', 's3');
      expect(sorted(await presence.members(org, 'room'))).toEqual([
        { user: 'alice', connections: 1, devices: ['laptop'] },
      ]);
    });

    it('keeps orgs apart', async () => {
      const { presence, org: a } = await setup();
      const b = freshOrg();
      await presence.add(a, 'room', 's1', { user: 'alice' });
      // The same user on the same channel name in another org is a different presence.
      expect(await presence.add(b, 'room', 's2', { user: 'alice' })).toEqual({
        firstForUser: true,
      });
      await presence.add(b, 'room', 's3', { user: 'carol' });
      expect(sorted(await presence.members(a, 'room'))).toEqual([
        { user: 'alice', connections: 1, devices: [] },
      ]);
      expect(await presence.remove(b, 'room', 's1')).toEqual({ lastForUser: false });
      expect(await presence.remove(b, 'room', 's2')).toEqual({ lastForUser: true, user: 'alice' });
      expect(sorted(await presence.members(a, 'room'))).toEqual([
        { user: 'alice', connections: 1, devices: [] },
      ]);
      expect(sorted(await presence.members(b, 'room'))).toEqual([
        { user: 'carol', connections: 1, devices: [] },
      ]);
    });

    it('keeps channels apart', async () => {
      const { presence, org } = await setup();
      expect(await presence.add(org, 'room.1', 's1', { user: 'alice' })).toEqual({
        firstForUser: true,
      });
      expect(await presence.add(org, 'room.2', 's1', { user: 'alice' })).toEqual({
        firstForUser: true,
      });
      // Leaving room.1 is the last of alice there, even though the same session stays in room.2.
      expect(await presence.remove(org, 'room.1', 's1')).toEqual({
        lastForUser: true,
        user: 'alice',
      });
      expect(await presence.members(org, 'room.1')).toEqual([]);
      expect(sorted(await presence.members(org, 'room.2'))).toEqual([
        { user: 'alice', connections: 1, devices: [] },
      ]);
    });

    it('ignores removing a session it does not know', async () => {
      const { presence, org } = await setup();
      expect(await presence.remove(org, 'room', 'nobody')).toEqual({ lastForUser: false });
      await presence.add(org, 'room', 's1', { user: 'alice' });
      expect(await presence.remove(org, 'room', 'nobody')).toEqual({ lastForUser: false });
      expect(await presence.remove(org, 'other-room', 's1')).toEqual({ lastForUser: false });
      expect(sorted(await presence.members(org, 'room'))).toEqual([
        { user: 'alice', connections: 1, devices: [] },
      ]);
      expect(await presence.remove(org, 'room', 's1')).toEqual({
        lastForUser: true,
        user: 'alice',
      });
      // a second remove of the same session is unknown by then
      expect(await presence.remove(org, 'room', 's1')).toEqual({ lastForUser: false });
    });

    it('lists members sorted by user id', async () => {
      const { presence, org } = await setup();
      for (const [i, user] of ['carol', 'alice', 'bob', 'Zed', 'al'].entries())
        await presence.add(org, 'room', `s${i}`, { user });
      const members = await presence.members(org, 'room');
      expect(members.map((m) => m.user)).toEqual(['Zed', 'al', 'alice', 'bob', 'carol']);
    });

    it('shows the info of a user set last among their entries, and never hides it behind none', async () => {
      const { presence, org } = await setup();
      await presence.add(org, 'room', 's1', { user: 'alice', info: 'phone', infoAtMs: 2000 });
      await presence.add(org, 'room', 's2', { user: 'alice', info: 'laptop', infoAtMs: 1000 });
      await presence.add(org, 'room', 's3', { user: 'alice', infoAtMs: 3000 });
      const [alice] = await presence.members(org, 'room');
      expect(alice?.info).toBe('phone');
      expect(
        await presence.update(org, 'room', 's2', { user: 'alice', info: 'away', infoAtMs: 4000 }),
      ).toBe(true);
      expect((await presence.members(org, 'room'))[0]?.info).toBe('away');
    });

    it('updates the entry of a session it holds without counting it again', async () => {
      const { presence, org } = await setup();
      await presence.add(org, 'room', 's1', { user: 'alice', device: 'phone', info: { s: 'on' } });
      await presence.add(org, 'room', 's2', { user: 'alice', device: 'laptop' });
      const away = { user: 'alice', device: 'phone', info: { s: 'away' }, infoAtMs: 5 };
      expect(await presence.update(org, 'room', 's1', away)).toBe(true);
      expect(sorted(await presence.members(org, 'room'))).toEqual([
        { user: 'alice', info: { s: 'away' }, connections: 2, devices: ['laptop', 'phone'] },
      ]);
      expect(await presence.remove(org, 'room', 's2')).toEqual({
        lastForUser: false,
        user: 'alice',
      });
      expect(await presence.remove(org, 'room', 's1')).toEqual({
        lastForUser: true,
        user: 'alice',
      });
    });

    it('refuses to update a session it does not hold, or as another user, writing nothing', async () => {
      const { presence, org } = await setup();
      expect(await presence.update(org, 'room', 's1', { user: 'alice', info: 1 })).toBe(false);
      expect(await presence.members(org, 'room')).toEqual([]);
      await presence.add(org, 'room', 's1', { user: 'alice', info: 1 });
      expect(await presence.update(org, 'other', 's1', { user: 'alice', info: 2 })).toBe(false);
      expect(await presence.update(org, 'room', 's1', { user: 'mallory', info: 3 })).toBe(false);
      expect(await presence.members(org, 'room')).toEqual([
        { user: 'alice', info: 1, connections: 1, devices: [] },
      ]);
      expect(await presence.members(org, 'other')).toEqual([]);
      // Removed: an update racing the removal does not bring it back.
      await presence.remove(org, 'room', 's1');
      expect(await presence.update(org, 'room', 's1', { user: 'alice', info: 4 })).toBe(false);
      expect(await presence.members(org, 'room')).toEqual([]);
      expect(await presence.add(org, 'room', 's2', { user: 'alice' })).toEqual({
        firstForUser: true,
      });
    });

    it('pages members by user id with the count of all', async () => {
      const { presence, org } = await setup();
      const users = ['u05', 'u01', 'u04', 'u02', 'u03'];
      for (const [i, user] of users.entries())
        await presence.add(org, 'room', `s${i}`, { user, device: 'd1' });
      // u01 has three connections: a page holds every connection of a user it lists.
      await presence.add(org, 'room', 'x1', { user: 'u01', device: 'd2' });
      await presence.add(org, 'room', 'x2', { user: 'u01', device: 'd3' });
      const page = await presence.membersPage(org, 'room', 2);
      expect(page.count).toBe(5);
      expect(sorted(page.members)).toEqual([
        { user: 'u01', connections: 3, devices: ['d1', 'd2', 'd3'] },
        { user: 'u02', connections: 1, devices: ['d1'] },
      ]);
      const first = await presence.membersPage(org, 'room', 1);
      expect(first).toEqual({ members: [page.members[0]], count: 5 });
      const all = await presence.membersPage(org, 'room', 100);
      expect(all.count).toBe(5);
      expect(all.members.map((m) => m.user)).toEqual(['u01', 'u02', 'u03', 'u04', 'u05']);
      expect(await presence.membersPage(org, 'room', 5)).toEqual(all);
      await presence.remove(org, 'room', 's1');
      await presence.remove(org, 'room', 'x1');
      await presence.remove(org, 'room', 'x2');
      expect(await presence.membersPage(org, 'room', 2)).toMatchObject({
        count: 4,
        members: [{ user: 'u02' }, { user: 'u03' }],
      });
      expect(await presence.membersPage(org, 'empty', 10)).toEqual({ members: [], count: 0 });
    });

    it('has no members on a channel nobody joined', async () => {
      const { presence, org } = await setup();
      expect(await presence.members(org, 'empty')).toEqual([]);
    });
  });
}
