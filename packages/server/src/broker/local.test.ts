import { describe, expect, it } from 'vitest';
import { describeBroker } from './broker.contract.js';
import type { BrokerMessage } from './broker.js';
import { LocalBroker } from './local.js';

describeBroker('LocalBroker', () => new LocalBroker());

describe('LocalBroker', () => {
  it('hands a message to the handler before publish resolves', async () => {
    const broker = new LocalBroker();
    const seen: BrokerMessage[] = [];
    await broker.start((m) => seen.push(m));
    const message: BrokerMessage = {
      kind: 'question',
      id: 'q1',
      from: 'n0',
      org: 'acme',
      question: { op: 'disconnect', user: 'bob', reason: 'gone' },
    };
    const publishing = broker.publish(message);
    // Synchronous hand-off: the single node sees its publish at once, in order.
    expect(seen).toEqual([message]);
    await publishing;
    await broker.close();
  });

  it('drops messages published before start', async () => {
    const broker = new LocalBroker();
    await broker.publish({
      kind: 'question',
      id: 'q1',
      from: 'n0',
      org: 'acme',
      question: { op: 'disconnect', user: 'bob', reason: 'early' },
    });
    const seen: BrokerMessage[] = [];
    await broker.start((m) => seen.push(m));
    expect(seen).toEqual([]);
    await broker.close();
  });
});
