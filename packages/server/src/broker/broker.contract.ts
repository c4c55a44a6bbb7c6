/**
 * The contract every `Broker` passes (STYLE rule 2). A `*.test.ts` per implementation calls
 * `describeBroker(name, create)`; this file is never run on its own.
 *
 * A broker hands its own publishes back to its own handler (a node learns of its own events
 * the same way it learns of other nodes' ones). Tests await deliveries, never sleep. Brokers
 * made by one factory may share a backend (one Redis): each test uses fresh org names.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogEvent } from '../log/log.js';
import type { Broker, BrokerMessage } from './broker.js';

export type BrokerFactory = () => Promise<Broker> | Broker;

/** What a started broker's handler has received, with a way to await more. */
interface Inbox {
  readonly messages: BrokerMessage[];
  /** Resolves once at least `count` messages have arrived. */
  waitFor(count: number): Promise<BrokerMessage[]>;
}

function newInbox(): Inbox & { push(message: BrokerMessage): void } {
  const messages: BrokerMessage[] = [];
  const waiters: { count: number; resolve: (m: BrokerMessage[]) => void }[] = [];
  return {
    messages,
    push(message) {
      messages.push(message);
      for (let i = waiters.length - 1; i >= 0; i--) {
        const w = waiters[i];
        if (w !== undefined && messages.length >= w.count) {
          waiters.splice(i, 1);
          w.resolve(messages);
        }
      }
    },
    waitFor(count) {
      if (messages.length >= count) return Promise.resolve(messages);
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
  };
}

/** Lets pending I/O callbacks run once; not a timer. */
const turnEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

let orgCounter = 0;
const freshOrg = (): string => `b${++orgCounter}-${randomBytes(4).toString('hex')}`;

function sampleEvent(org: string, seq: number, extra: Partial<LogEvent> = {}): LogEvent {
  return {
    org,
    seq,
    eventId: `ev-${seq}`,
    channel: `room.${seq % 3}`,
    dataJson: JSON.stringify({ seq, text: 'ünï "q" ✓' }),
    tsMs: 1_700_000_000_000 + seq,
    cursor: `cur-${seq}`,
    ...extra,
  };
}

export function describeBroker(name: string, create: BrokerFactory): void {
  describe(`Broker contract: ${name}`, () => {
    const open = new Set<Broker>();
    afterEach(async () => {
      await Promise.all([...open].map((b) => b.close()));
      open.clear();
    });

    async function started(): Promise<{ broker: Broker; inbox: Inbox }> {
      const broker = await create();
      open.add(broker);
      const inbox = newInbox();
      await broker.start((message) => inbox.push(message));
      return { broker, inbox };
    }

    async function closeBroker(broker: Broker): Promise<void> {
      open.delete(broker);
      await broker.close();
    }

    const org = freshOrg();
    it.each<[label: string, message: BrokerMessage]>([
      ['an event', { kind: 'events', events: [sampleEvent(org, 1)] }],
      [
        'an event with from and skipSession',
        { kind: 'events', events: [sampleEvent(org, 2, { from: 'alice' })], skipSession: 's-1' },
      ],
      [
        'an event with null data',
        { kind: 'events', events: [sampleEvent(org, 3, { dataJson: 'null' })] },
      ],
      [
        'the events of one append, in order',
        { kind: 'events', events: [sampleEvent(org, 4), sampleEvent(org, 5), sampleEvent(org, 6)] },
      ],
      [
        'an ephemeral event with from and skipSession',
        {
          kind: 'ephemeral',
          event: {
            org,
            channel: 'cursors.doc1',
            eventId: '~n0a',
            tsMs: 1_700_000_000_000,
            dataJson: '{"x":1,"y":[2,"z"]}',
            from: 'alice',
          },
          skipSession: 's-1',
        },
      ],
      [
        'a join with info and session',
        {
          kind: 'presence',
          org,
          channel: 'room.1',
          change: 'join',
          user: 'alice',
          info: { name: 'Alice', tags: ['a', 'b'], n: null },
          session: 's-1',
        },
      ],
      [
        'a leave without info',
        { kind: 'presence', org, channel: 'room.1', change: 'leave', user: 'alice' },
      ],
      [
        'a question',
        {
          kind: 'question',
          id: 'q1',
          from: 'n0',
          org,
          question: { op: 'disconnect', user: 'bob', reason: 'token revoked' },
        },
      ],
    ])('passes %s through intact', async (_label, message) => {
      const { broker, inbox } = await started();
      await broker.publish(message);
      const [received] = await inbox.waitFor(1);
      expect(received).toEqual(message);
    });

    it('delivers messages in publish order', async () => {
      const { broker, inbox } = await started();
      const a = freshOrg();
      const b = freshOrg();
      const sent: BrokerMessage[] = Array.from({ length: 60 }, (_, i): BrokerMessage => {
        if (i % 5 === 4)
          return {
            kind: 'question',
            id: 'q1',
            from: 'n0',
            org: a,
            question: { op: 'disconnect', user: `u${i}`, reason: `r${i}` },
          };
        if (i % 5 === 3)
          return { kind: 'presence', org: b, channel: 'room', change: 'join', user: `u${i}` };
        return { kind: 'events', events: [sampleEvent(i % 2 === 0 ? a : b, i + 1)] };
      });
      // Issued back to back, without awaiting each one: call order is publish order.
      await Promise.all(sent.map((m) => broker.publish(m)));
      expect(await inbox.waitFor(sent.length)).toEqual(sent);
    });

    it('delivers awaited publishes in order', async () => {
      const { broker, inbox } = await started();
      const o = freshOrg();
      const sent = Array.from({ length: 10 }, (_, i): BrokerMessage => ({
        kind: 'events',
        events: [sampleEvent(o, i + 1)],
      }));
      for (const m of sent) await broker.publish(m);
      expect(await inbox.waitFor(sent.length)).toEqual(sent);
    });

    it('delivers nothing after close', async () => {
      const { broker, inbox } = await started();
      const o = freshOrg();
      await broker.publish({ kind: 'events', events: [sampleEvent(o, 1)] });
      await inbox.waitFor(1);
      await closeBroker(broker);

      // Publishing on a closed broker may reject; either way nothing reaches the old handler.
      await broker.publish({ kind: 'events', events: [sampleEvent(o, 2)] }).catch(() => undefined);
      // A second broker of the same factory publishes and waits for its own copy, so anything
      // a shared backend would fan out has had its chance to reach the closed one too.
      const witness = await started();
      const late: BrokerMessage = { kind: 'events', events: [sampleEvent(o, 3)] };
      await witness.broker.publish(late);
      await witness.inbox.waitFor(1);
      await turnEventLoop();
      expect(witness.inbox.messages).toContainEqual(late);
      expect(inbox.messages).toHaveLength(1);
    });
  });
}
