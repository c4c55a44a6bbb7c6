import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../../test/helpers/redis.js';
import { RedisEventLog } from '../log/redis.js';
import { connectRedis } from '../redis/connect.js';
import { RedisKeys } from '../redis/keys.js';
import { describeBroker } from './broker.contract.js';
import type { BrokerMessage, BrokerOrigin } from './broker.js';
import { RedisBroker } from './redis.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.stop();
});

const keys = new RedisKeys('hc');
let nodeCounter = 0;
/** Only JSON messages reach these brokers: no log broadcasts in the contract. */
const newBroker = (nodeId = `n${++nodeCounter}`): RedisBroker =>
  new RedisBroker({
    url: server.url,
    keys,
    nodeId,
    eventsOf: () => {
      throw new Error('no log here');
    },
  });

describeBroker('RedisBroker', () => newBroker());

/** Collects a started broker's messages; `next()` resolves with the next unread one. */
function collect(): {
  seen: [BrokerMessage, BrokerOrigin][];
  handler: (m: BrokerMessage, o: BrokerOrigin) => void;
  next(): Promise<[BrokerMessage, BrokerOrigin]>;
} {
  const seen: [BrokerMessage, BrokerOrigin][] = [];
  let wake: (() => void) | undefined;
  let read = 0;
  return {
    seen,
    handler(m, o) {
      seen.push([m, o]);
      wake?.();
    },
    async next() {
      while (seen.length <= read) await new Promise<void>((resolve) => (wake = resolve));
      return seen[read++] as [BrokerMessage, BrokerOrigin];
    },
  };
}

describe('RedisBroker', () => {
  it('names the publishing node, and carries the log’s appends to every node in log order', async () => {
    const redis = await connectRedis({ url: server.url, name: 'log' });
    const log = await RedisEventLog.open({
      redis,
      keys,
      nodeId: 'writer',
      historySize: 100,
      historyTtlSeconds: 3600,
    });
    const eventsOf: RedisBroker['options']['eventsOf'] = (m) =>
      log.eventsOf(m.org, m.epoch, m.firstSeq, m.lines);
    const brokers = ['a', 'b'].map(
      (node) => new RedisBroker({ url: server.url, keys, nodeId: node, eventsOf }),
    );
    const inboxes = brokers.map(() => collect());
    try {
      await Promise.all(
        brokers.map((b, i) => b.start((inboxes[i] as ReturnType<typeof collect>).handler)),
      );
      const results = await log.appendAndBroadcast(
        'acme-b',
        [
          { channel: 'room.1', data: { n: 1 }, from: 'alice' },
          { channel: 'room.2', data: null },
        ],
        'sess-1',
      );
      for (const inbox of inboxes) {
        const [message, origin] = await inbox.next();
        expect(origin).toEqual({ node: 'writer' });
        expect(message).toEqual({
          kind: 'events',
          events: results.map((r) => r.event),
          skipSession: 'sess-1',
        });
      }
      await brokers[0]?.publish({
        kind: 'question',
        id: 'q1',
        from: 'n0',
        org: 'acme-b',
        question: { op: 'disconnect', user: 'u', reason: 'r' },
      });
      const [, origin] = await (inboxes[1] as ReturnType<typeof collect>).next();
      expect(origin).toEqual({ node: 'a' });
    } finally {
      await Promise.all(brokers.map((b) => b.close()));
      await log.close();
    }
  });

  it('says `lost` once its subscriber connection is back after a loss, and is live again', async () => {
    const broker = newBroker('lossy');
    const inbox = collect();
    await broker.start(inbox.handler);
    try {
      await server.command('CLIENT', 'KILL', 'TYPE', 'pubsub');
      const [lost] = await inbox.next();
      expect(lost).toEqual({ kind: 'lost' });
      await broker.publish({
        kind: 'question',
        id: 'q1',
        from: 'n0',
        org: 'acme-l',
        question: { op: 'disconnect', user: 'u', reason: 'after' },
      });
      const [after] = await inbox.next();
      expect(after).toMatchObject({ kind: 'question', question: { reason: 'after' } });
    } finally {
      await broker.close();
    }
  });

  it('fails its check and its publishes while Redis is down, and recovers', async () => {
    const broker = newBroker('outage');
    await broker.start(() => undefined);
    try {
      await broker.check();
      await server.kill();
      await expect(broker.check()).rejects.toMatchObject({
        name: 'EngineUnavailableError',
        part: 'broker',
      });
      await expect(
        broker.publish({
          kind: 'question',
          id: 'q1',
          from: 'n0',
          org: 'acme-o',
          question: { op: 'disconnect', user: 'u', reason: 'r' },
        }),
      ).rejects.toMatchObject({ name: 'EngineUnavailableError' });
      await server.restart();
      let ok = false;
      for (let i = 0; i < 100 && !ok; i++)
        ok = await broker.check().then(
          () => true,
          async () => {
            await new Promise((resolve) => setTimeout(resolve, 50));
            return false;
          },
        );
      expect(ok).toBe(true);
    } finally {
      await broker.close();
    }
  });
});
