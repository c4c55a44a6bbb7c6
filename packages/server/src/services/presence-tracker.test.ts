/**
 * The tracker's one door for per-user transitions (`onTransition`), over two and three
 * `RedisPresence` nodes on a real redis-server: each transition is reported once, by the node
 * that decided it, whatever node the user's devices are on; a node that dies has its users
 * reported as left by exactly one survivor.
 */
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PresenceNodes, Reports, freshPrefix } from '../../test/helpers/presence-nodes.js';
import { startRedis, type RedisServer } from '../../test/helpers/redis.js';
import { LocalBroker } from '../broker/local.js';
import type { BrokerMessage } from '../broker/broker.js';
import type { RedisPresence } from '../presence/redis.js';
import {
  PresenceTracker,
  type PresenceSubject,
  type PresenceTransition,
} from './presence-tracker.js';

let server: RedisServer;
const nodes = new PresenceNodes(() => server.url);
beforeAll(async () => {
  server = await startRedis();
});
const trackers: PresenceTracker[] = [];
afterEach(async () => {
  await Promise.all(trackers.splice(0).map((t) => t.close({ runPending: true })));
  await nodes.closeAll();
});
afterAll(() => server.stop());

interface TrackedNode {
  tracker: PresenceTracker;
  presence: RedisPresence;
  transitions: Reports<PresenceTransition>;
  /** What the node's broker carried (here a local one: this node's own messages). */
  sent: BrokerMessage[];
}

async function startNode(prefix: string, nodeId: string, nodeTtlMs = 5000): Promise<TrackedNode> {
  const presence = nodes.create({ prefix, nodeId, nodeTtlMs });
  const broker = new LocalBroker(nodeId);
  const sent: BrokerMessage[] = [];
  await broker.start((message) => sent.push(message));
  const tracker = new PresenceTracker({
    store: () => presence,
    broker,
    leaveDelayMs: 0,
    membersMax: 100,
    logger: pino({ level: 'silent' }),
  });
  trackers.push(tracker);
  const transitions = new Reports<PresenceTransition>();
  tracker.onTransition((t) => transitions.push([t]));
  await presence.startHeartbeat(tracker.expiryHandlers());
  return { tracker, presence, transitions, sent };
}

const subject = (id: string, user: string, info?: object): PresenceSubject => ({
  id,
  org: 'acme',
  user,
  ...(info === undefined ? {} : { info: info as PresenceSubject['info'], infoAtMs: Date.now() }),
});

/** Waits until the engine holds `connections` of `user` (enter and leave do not return). */
async function untilConnections(p: RedisPresence, user: string, connections: number) {
  for (;;) {
    const m = (await p.members('acme', 'room')).find((x) => x.user === user);
    if ((m?.connections ?? 0) === connections) return;
  }
}

describe('PresenceTracker transitions', () => {
  it('reports join, update and leave of a user once, on the node that decided each', async () => {
    const prefix = freshPrefix();
    const a = await startNode(prefix, 'a');
    const b = await startNode(prefix, 'b');
    const phone = subject('p1', 'alice', { s: 'on' });
    const laptop = subject('l1', 'alice', { s: 'on' });
    a.tracker.enter(phone, 'room');
    await a.transitions.until((t) => t.length === 1);
    b.tracker.enter(laptop, 'room');
    await untilConnections(b.presence, 'alice', 2);

    laptop.info = { s: 'away' };
    expect(await b.tracker.updateInfo(laptop, ['room', 'not-in'])).toBe(1);
    a.tracker.leave(phone, 'room');
    await untilConnections(a.presence, 'alice', 1);
    b.tracker.leave(laptop, 'room');
    await b.transitions.until((t) => t.length === 2);

    const tag = ({ change, cause, user, channel, info }: PresenceTransition) => ({
      change,
      cause,
      user,
      channel,
      info,
    });
    expect(a.transitions.items.map(tag)).toEqual([
      { change: 'join', cause: 'connection', user: 'alice', channel: 'room', info: { s: 'on' } },
    ]);
    expect(b.transitions.items.map(tag)).toEqual([
      { change: 'update', cause: 'info', user: 'alice', channel: 'room', info: { s: 'away' } },
      { change: 'leave', cause: 'connection', user: 'alice', channel: 'room', info: { s: 'away' } },
    ]);
    // Each went to the broker as it was reported; the update names its session, which is
    // spared its own push.
    expect(b.sent).toEqual([
      {
        kind: 'presence',
        org: 'acme',
        channel: 'room',
        change: 'update',
        user: 'alice',
        info: { s: 'away' },
        session: 'l1',
      },
      {
        kind: 'presence',
        org: 'acme',
        channel: 'room',
        change: 'leave',
        user: 'alice',
        info: { s: 'away' },
      },
    ]);
  });

  it("has exactly one survivor report a dead node's last connections as left", async () => {
    const prefix = freshPrefix();
    const a = await startNode(prefix, 'a', 300);
    const b = await startNode(prefix, 'b', 300);
    const doomed = await startNode(prefix, 'doomed', 300);
    doomed.tracker.enter(subject('d1', 'ann'), 'room');
    doomed.tracker.enter(subject('d2', 'bob'), 'room');
    b.tracker.enter(subject('b1', 'bob'), 'room'); // bob is on another device too
    await untilConnections(b.presence, 'bob', 2);
    await untilConnections(b.presence, 'ann', 1);
    await doomed.presence.close(); // stops beating, as a crash would

    const all = (): PresenceTransition[] => [...a.transitions.items, ...b.transitions.items];
    await Promise.race([
      a.transitions.until((t) => t.some((x) => x.change === 'leave')),
      b.transitions.until((t) => t.some((x) => x.change === 'leave')),
    ]);
    expect(all().filter((t) => t.change === 'leave')).toEqual([
      { org: 'acme', channel: 'room', user: 'ann', change: 'leave', cause: 'node-expired' },
    ]);
  });
});
