/**
 * `OnlineUsers` on the memory engine: one entry per connection, live while its connection is,
 * lingering without a device for the grace period where the org takes the online webhooks.
 * The Redis engine and the cluster are covered end to end in test/cluster/.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { MemoryPresence } from './memory.js';
import { OnlineUsers, type OnlineChange } from './online-users.js';
import type { Presence } from './presence.js';

const ann = (id: string) => ({ id, org: 'acme', user: 'ann' });

function setup(options: { reports: boolean; leaveDelayMs: number; presence?: Presence }) {
  const presence = options.presence ?? new MemoryPresence();
  const changes: OnlineChange[] = [];
  const waiters: (() => void)[] = [];
  const users = new OnlineUsers({
    presence: () => presence,
    leaveDelayMs: options.leaveDelayMs,
    reportsChanges: () => options.reports,
    onChange: (change) => {
      changes.push(change);
      waiters.splice(0).forEach((wake) => wake());
    },
    logger: pino({ level: 'silent' }),
  });
  /** Resolves once `count` changes were reported. */
  const reported = async (count: number): Promise<void> => {
    while (changes.length < count) await new Promise<void>((wake) => waiters.push(wake));
  };
  return { presence, users, changes, reported };
}

describe('OnlineUsers', () => {
  it('writes nothing on connect where no online webhook is taken, and removes at once', async () => {
    const { presence, users, changes } = setup({ reports: false, leaveDelayMs: 60_000 });
    users.connected(ann('c1'));
    expect(await presence.members('acme', '~connections.ann')).toEqual([]);
    // A cluster node's user slots write it anyway: the per-user limit and "live now" need it.
    await users.enter(ann('c1'));
    expect(await users.liveConnections('acme', 'ann')).toBe(1);
    users.disconnected(ann('c1'));
    await users.close();
    expect(await presence.members('acme', '~connections.ann')).toEqual([]);
    expect(changes).toEqual([]);
  });

  it('keeps a closed connection online for the grace period, but not live', async () => {
    const { presence, users, changes, reported } = setup({ reports: true, leaveDelayMs: 30 });
    users.connected(ann('c1'));
    await users.enter(ann('c2'));
    expect(await users.liveConnections('acme', 'ann')).toBe(2);
    users.disconnected(ann('c1'));
    users.disconnected(ann('c2'));
    expect(await users.liveConnections('acme', 'ann')).toBe(0);
    // One lingering entry per user and node: the second closed connection's went at once.
    expect(await presence.members('acme', '~connections.ann')).toEqual([
      { user: 'ann', connections: 1, devices: [] },
    ]);
    // Back within the grace period, in a loop: not online again, and no entry piles up.
    for (const id of ['c3', 'c4', 'c5']) {
      await users.enter(ann(id));
      users.disconnected(ann(id));
    }
    expect(await presence.members('acme', '~connections.ann')).toEqual([
      { user: 'ann', connections: 1, devices: [] },
    ]);
    await reported(2);
    expect(changes).toEqual([
      { org: 'acme', user: 'ann', online: true },
      { org: 'acme', user: 'ann', online: false },
    ]);
    expect(await presence.members('acme', '~connections.ann')).toEqual([]);
  });

  it('removes a refused connection at once, and runs the pending removals on close', async () => {
    const { presence, users, changes } = setup({ reports: true, leaveDelayMs: 60_000 });
    await users.enter(ann('c1'));
    await users.enter(ann('c2'));
    users.refused(ann('c2'));
    users.disconnected(ann('c1'));
    // The refused one is gone now; the closed one lingers until close.
    expect(await presence.members('acme', '~connections.ann')).toEqual([
      { user: 'ann', connections: 1, devices: [] },
    ]);
    await users.close();
    expect(await presence.members('acme', '~connections.ann')).toEqual([]);
    expect(changes.map((c) => c.online)).toEqual([true, false]);
  });

  it('holds nothing after an add that failed, even one whose write happened', async () => {
    const memory = new MemoryPresence();
    const lostReply: Presence = {
      add: async (...args) => {
        await memory.add(...args);
        throw new Error('reply lost');
      },
      remove: (...args) => memory.remove(...args),
      update: (...args) => memory.update(...args),
      members: (...args) => memory.members(...args),
      membersPage: (...args) => memory.membersPage(...args),
      close: () => memory.close(),
    };
    const { users, changes } = setup({ reports: true, leaveDelayMs: 0, presence: lostReply });
    await expect(users.enter(ann('c1'))).rejects.toThrow('reply lost');
    await users.close();
    expect(await memory.members('acme', '~connections.ann')).toEqual([]);
    expect(changes).toEqual([]);
  });
});
