import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { EventLog, LogEvent, ReadRange, ReadResult } from '../log/log.js';
import { MemoryEventLog } from '../log/memory.js';
import { LogOrder } from './log-order.js';

/** A log with `count` events of org `acme`, and a LogOrder over it that records deliveries. */
async function setup(count: number) {
  let log: EventLog = new MemoryEventLog({ historySize: 1000, historyTtlSeconds: 3600 });
  const all = (
    await log.append(
      'acme',
      Array.from({ length: count }, (_, i) => ({ channel: 'c', data: i + 1 })),
    )
  ).map((r) => r.event);
  const delivered: number[][] = [];
  const skips: (string | undefined)[] = [];
  const dropped: string[] = [];
  let filled = 0;
  let onDeliver: (() => void) | undefined;
  const order = new LogOrder({
    log: () => log,
    deliver(events, skip) {
      delivered.push(events.map((e) => e.seq));
      skips.push(skip);
      onDeliver?.();
    },
    dropped: (org) => dropped.push(org),
    filled: (n) => (filled += n),
    logger: pino({ level: 'silent' }),
    retryMs: 5,
  });
  const seqs = (from: number, to: number): LogEvent[] => all.slice(from - 1, to);
  /** Resolves once `seq` was delivered (a fill runs asynchronously, maybe in several calls). */
  const untilDelivered = (seq: number): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (delivered.flat().includes(seq)) resolve();
      };
      onDeliver = check;
      check();
    });
  return {
    order,
    seqs,
    delivered,
    skips,
    dropped,
    filled: () => filled,
    untilDelivered,
    swapLog: (next: EventLog) => (log = next),
  };
}

describe('LogOrder', () => {
  it('delivers consecutive messages at once, in the same call, with their skip session', async () => {
    const t = await setup(3);
    t.order.accept(t.seqs(1, 2), 's1');
    t.order.accept(t.seqs(3, 3), undefined);
    expect(t.delivered).toEqual([[1, 2], [3]]);
    expect(t.skips).toEqual(['s1', undefined]);
  });

  it.each<[label: string, messages: [number, number][], want: number[][]]>([
    [
      'a repeated message',
      [
        [1, 2],
        [1, 2],
        [3, 3],
      ],
      [[1, 2], [3]],
    ],
    // Part of the message was delivered already (a fill read past it): only the rest goes out.
    [
      'an overlapping message',
      [
        [1, 2],
        [2, 3],
      ],
      [[1, 2], [3]],
    ],
    [
      'an older message after a newer one',
      [
        [1, 3],
        [2, 2],
      ],
      [[1, 2, 3]],
    ],
  ])('drops what was delivered: %s', async (_label, messages, want) => {
    const t = await setup(3);
    for (const [from, to] of messages) t.order.accept(t.seqs(from, to), undefined);
    expect(t.delivered).toEqual(want);
  });

  it('fills a gap from the log before anything newer, then goes on live', async () => {
    const t = await setup(8);
    t.order.accept(t.seqs(1, 1), undefined);
    t.order.accept(t.seqs(5, 5), undefined); // 2..4 were lost
    // While the fill runs, newer messages only raise its target.
    t.order.accept(t.seqs(6, 6), undefined);
    await t.untilDelivered(6);
    expect(t.delivered.flat()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.filled()).toBe(5);
    t.order.accept(t.seqs(7, 8), undefined);
    expect(t.delivered.at(-1)).toEqual([7, 8]);
  });

  it('owes a connection nothing before the head it went live at', async () => {
    const t = await setup(6);
    t.order.noteHead('acme', 4);
    t.order.accept(t.seqs(3, 5), undefined);
    expect(t.delivered).toEqual([[5]]);
  });

  it('finds events lost with no later message when the broker says it lost some', async () => {
    const t = await setup(4);
    t.order.accept(t.seqs(1, 2), undefined);
    await t.order.resync(); // 3 and 4 never came
    await t.untilDelivered(4);
    expect(t.delivered).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('tells the node when missed events already left retention', async () => {
    const t = await setup(1);
    const small = new MemoryEventLog({ historySize: 2, historyTtlSeconds: 3600 });
    const events = (
      await small.append(
        'acme',
        Array.from({ length: 5 }, () => ({ channel: 'c', data: 0 })),
      )
    ).map((r) => r.event);
    t.swapLog(small);
    t.order.accept(events.slice(0, 1), undefined);
    t.order.accept(events.slice(4, 5), undefined); // 2..4 lost, and 2..3 evicted
    await t.untilDelivered(5);
    expect(t.dropped).toEqual(['acme']);
    expect(t.delivered).toEqual([[1], [4, 5]]);
  });

  it('retries a fill while the log cannot be read', async () => {
    const t = await setup(3);
    let failures = 2;
    /** The first reads fail, as a log whose engine is away would. */
    class FlakyLog extends MemoryEventLog {
      override read(org: string, range: ReadRange): Promise<ReadResult> {
        return failures-- > 0 ? Promise.reject(new Error('down')) : super.read(org, range);
      }
    }
    const flaky = new FlakyLog({ historySize: 1000, historyTtlSeconds: 3600 });
    const events = (
      await flaky.append(
        'acme',
        Array.from({ length: 3 }, () => ({ channel: 'c', data: 0 })),
      )
    ).map((r) => r.event);
    t.swapLog(flaky);
    t.order.accept(events.slice(0, 1), undefined);
    t.order.accept(events.slice(2, 3), undefined);
    await t.untilDelivered(3);
    expect(failures).toBe(-1);
    expect(t.delivered).toEqual([[1], [2, 3]]);
  });
});
