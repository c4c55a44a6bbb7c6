import { describe, expect, it } from 'vitest';
import { describeEventLog } from './log.contract.js';
import { MemoryEventLog } from './memory.js';

describeEventLog('MemoryEventLog', (opts) => new MemoryEventLog(opts));

describe('MemoryEventLog', () => {
  it('starts a new epoch per instance: cursors of an earlier instance cannot be placed', async () => {
    const options = { historySize: 100, historyTtlSeconds: 3600 };
    const before = new MemoryEventLog(options);
    const [old] = await before.append('acme', [{ channel: 'c', data: 1 }]);
    const startCursor = before.cursorOf('acme', 0);
    await before.close();

    // A restart: same org, same number of events, yet the old cursors name nothing here.
    const after = new MemoryEventLog(options);
    await after.append('acme', [{ channel: 'c', data: 1 }]);
    expect(await after.position('acme', old?.event.cursor ?? '')).toBeUndefined();
    expect(await after.position('acme', startCursor)).toBeUndefined();
    expect(await after.position('acme', after.cursorOf('acme', 1))).toBe(1);
    await after.close();
  });

  it('reads correctly after dropping thousands of evicted events', async () => {
    const log = new MemoryEventLog({ historySize: 10, historyTtlSeconds: 3600, now: () => 0 });
    for (let i = 0; i < 300; i++) {
      await log.append(
        'acme',
        Array.from({ length: 10 }, (_, j) => ({
          channel: `c.${(i * 10 + j) % 3}`,
          data: i * 10 + j,
        })),
      );
    }
    expect(await log.headSeq('acme')).toBe(3000);
    expect(await log.firstSeq('acme')).toBe(2991);
    const { events, more } = await log.read('acme', { from: 'oldest', limit: 100 });
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 10 }, (_, i) => 2991 + i));
    expect(events.map((e) => JSON.parse(e.dataJson) as unknown)).toEqual(
      Array.from({ length: 10 }, (_, i) => 2990 + i),
    );
    expect(more).toBe(false);
    const filtered = await log.read('acme', {
      from: 'newest',
      limit: 2,
      filter: (c) => c === 'c.0',
    });
    // seqs 2991..3000 hold data 2990..2999; data % 3 === 0 at 2991, 2994, 2997 (seq 2992, 2995, 2998)
    expect(filtered.events.map((e) => e.seq)).toEqual([2995, 2998]);
    expect(filtered.more).toBe(true);
    await log.close();
  });

  it('stamps events with Date.now when no clock is given', async () => {
    const log = new MemoryEventLog({ historySize: 10, historyTtlSeconds: 60 });
    const beforeMs = Date.now();
    const [result] = await log.append('acme', [{ channel: 'c', data: 1 }]);
    const afterMs = Date.now();
    expect(result?.event.tsMs).toBeGreaterThanOrEqual(beforeMs);
    expect(result?.event.tsMs).toBeLessThanOrEqual(afterMs);
    await log.close();
  });
});
