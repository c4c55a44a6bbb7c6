/**
 * The contract every `EventLog` passes (STYLE rule 2). A `*.test.ts` per implementation calls
 * `describeEventLog(name, create)`; this file is never run on its own.
 *
 * Each test makes its own log through `create` and uses fresh org names, so a factory may hand
 * out logs that share one backing store (one Redis database, one Postgres schema). Time comes
 * only from the injected `now`: retention by age is tested by moving that clock, never by
 * sleeping. Retention is checked exactly (the newest `historySize` events younger than
 * `historyTtlSeconds`, no more), because idempotency keys are forgotten with their event.
 */
import { randomBytes } from 'node:crypto';
import type { JsonValue } from '@hubcast/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppendInput, EventLog, LogEvent, ReadRange } from './log.js';
import { describeReadBounds } from './read-bounds.contract.js';

export interface EventLogFactoryOptions {
  historySize: number;
  historyTtlSeconds: number;
  /** The log's clock, Unix ms. */
  now: () => number;
}

export type EventLogFactory = (opts: EventLogFactoryOptions) => Promise<EventLog> | EventLog;

/** 2023-11-14T22:13:20.000Z: a whole second, so tests can add round numbers. */
const START_MS = 1_700_000_000_000;

interface Setup {
  log: EventLog;
  /** A fresh org nobody else has written to. */
  org: string;
  /** Moves the injected clock forward. */
  advanceSeconds: (seconds: number) => void;
  nowMs: () => number;
}

let orgCounter = 0;
/** Unique per test run, so logs sharing one store never see each other's orgs. */
export function freshOrg(): string {
  orgCounter++;
  return `o${orgCounter}-${randomBytes(4).toString('hex')}`;
}

const seqsOf = (events: readonly LogEvent[]): number[] => events.map((e) => e.seq);
/** The payload of an event that must exist. */
function dataOf(event: LogEvent | undefined): unknown {
  if (event === undefined) throw new Error('expected an event');
  return JSON.parse(event.dataJson) as unknown;
}
const one = (channel: string, extra: Partial<AppendInput> = {}): AppendInput[] => [
  { channel, data: null, ...extra },
];

/** The resume rule of session/replay.ts: placeable and no event after it evicted. */
async function isWithinRetention(log: EventLog, org: string, cursor: string): Promise<boolean> {
  const seq = await log.position(org, cursor);
  return seq !== undefined && seq >= (await log.firstSeq(org)) - 1;
}

export function describeEventLog(name: string, create: EventLogFactory): void {
  describe(`EventLog contract: ${name}`, () => {
    const open: EventLog[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((log) => log.close()));
    });

    async function setup(
      opts: Partial<Pick<EventLogFactoryOptions, 'historySize' | 'historyTtlSeconds'>> = {},
    ): Promise<Setup> {
      let nowMs = START_MS;
      const log = await create({
        historySize: opts.historySize ?? 1000,
        historyTtlSeconds: opts.historyTtlSeconds ?? 3600,
        now: () => nowMs,
      });
      open.push(log);
      return {
        log,
        org: freshOrg(),
        advanceSeconds: (seconds) => {
          nowMs += seconds * 1000;
        },
        nowMs: () => nowMs,
      };
    }

    /** Appends `count` events one call each, on `room.a` (odd seq) and `room.b` (even seq). */
    async function fill(log: EventLog, org: string, count: number): Promise<LogEvent[]> {
      const events: LogEvent[] = [];
      for (let i = 0; i < count; i++) {
        const seq = (await log.headSeq(org)) + 1;
        const [result] = await log.append(
          org,
          one(seq % 2 === 1 ? 'room.a' : 'room.b', { data: { n: seq } }),
        );
        if (result === undefined) throw new Error('append returned no result');
        events.push(result.event);
      }
      return events;
    }

    describe('sequence', () => {
      it('starts at 1 and grows by one per event across calls', async () => {
        const { log, org } = await setup();
        const first = await log.append(org, one('a'));
        const batch = await log.append(org, [
          { channel: 'a', data: 1 },
          { channel: 'b', data: 2 },
          { channel: 'c', data: 3 },
        ]);
        const last = await log.append(org, one('a'));
        expect(seqsOf([...first, ...batch, ...last].map((r) => r.event))).toEqual([1, 2, 3, 4, 5]);
        expect([...first, ...batch, ...last].every((r) => !r.duplicate)).toBe(true);
        expect(await log.headSeq(org)).toBe(5);
      });

      it('keeps the order of the items of one append', async () => {
        const { log, org } = await setup();
        const channels = ['c.1', 'c.2', 'c.3', 'c.4', 'c.5'];
        const results = await log.append(
          org,
          channels.map((channel, i) => ({ channel, data: i })),
        );
        expect(results.map((r) => r.event.channel)).toEqual(channels);
        const { events } = await log.read(org, { from: 'oldest', limit: 10 });
        expect(events.map((e) => e.channel)).toEqual(channels);
        expect(seqsOf(events)).toEqual([1, 2, 3, 4, 5]);
      });

      it('orders appends issued back to back by call order', async () => {
        const { log, org } = await setup();
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => log.append(org, [{ channel: `c.${i}`, data: i }])),
        );
        expect(results.map((r) => r[0]?.event.seq)).toEqual(
          Array.from({ length: 20 }, (_, i) => i + 1),
        );
      });

      it('gives event ids unique within the org', async () => {
        const { log, org } = await setup();
        await fill(log, org, 30);
        await log.append(
          org,
          Array.from({ length: 30 }, (_, i) => ({ channel: 'batch', data: i })),
        );
        const { events } = await log.read(org, { from: 'oldest', limit: 100 });
        expect(events).toHaveLength(60);
        expect(events.every((e) => typeof e.eventId === 'string' && e.eventId.length > 0)).toBe(
          true,
        );
        expect(new Set(events.map((e) => e.eventId)).size).toBe(60);
      });

      it('reads back exactly the events append returned', async () => {
        const { log, org } = await setup();
        const appended = await log.append(org, [
          { channel: 'a.b', data: { x: 1 }, from: 'alice' },
          { channel: 'a.c', data: [1, 2] },
        ]);
        const { events } = await log.read(org, { from: 'oldest', limit: 10 });
        expect(events).toEqual(appended.map((r) => r.event));
        expect(events.every((e) => e.org === org)).toBe(true);
      });
    });

    describe('items that cannot be serialized', () => {
      // Nested past JSON.stringify's recursion: the API bounds nesting first, the log guards
      // itself as well, so no path can leave a seq behind or half an append in the log.
      const tooDeep = (): JsonValue => {
        let v: JsonValue = 1;
        for (let i = 0; i < 100_000; i++) v = [v];
        return v;
      };

      it('refuses the whole append with bad_request and takes no seq', async () => {
        const { log, org } = await setup();
        await log.append(org, one('a'));
        await expect(
          log.append(org, [
            { channel: 'a', data: 1, key: 'k' },
            { channel: 'b', data: tooDeep() },
          ]),
        ).rejects.toMatchObject({ code: 'bad_request' });
        expect(await log.headSeq(org)).toBe(1);
        const next = await log.append(org, one('c', { key: 'k' }));
        expect(next.map((r) => [r.event.seq, r.duplicate])).toEqual([[2, false]]);
        const { events } = await log.read(org, { from: 'oldest', limit: 10 });
        expect(events.map((e) => e.channel)).toEqual(['a', 'c']);
      });

      it('fails only its own append among appends issued together', async () => {
        const { log, org } = await setup();
        const [a, bad, c] = await Promise.allSettled([
          log.append(org, one('a')),
          log.append(org, [{ channel: 'b', data: tooDeep() }]),
          log.append(org, one('c')),
        ]);
        expect(bad?.status).toBe('rejected');
        expect([a, c].map((r) => (r?.status === 'fulfilled' ? r.value[0]?.event.seq : r))).toEqual([
          1, 2,
        ]);
      });
    });

    describe('orgs', () => {
      it('keeps each org its own sequence and events', async () => {
        const { log, org: a } = await setup();
        const b = freshOrg();
        await log.append(a, [
          { channel: 'x', data: 'a1' },
          { channel: 'x', data: 'a2' },
          { channel: 'x', data: 'a3' },
        ]);
        const [inB] = await log.append(b, [{ channel: 'x', data: 'b1' }]);
        expect(inB?.event.seq).toBe(1);
        expect(inB?.event.org).toBe(b);
        expect(await log.headSeq(a)).toBe(3);
        expect(await log.headSeq(b)).toBe(1);
        const readB = await log.read(b, { from: 'oldest', limit: 10 });
        expect(readB.events.map(dataOf)).toEqual(['b1']);
        const readA = await log.read(a, { from: 'newest', limit: 10 });
        expect(readA.events.map(dataOf)).toEqual(['a1', 'a2', 'a3']);
      });

      it('cannot place one org’s cursors in another org', async () => {
        const { log, org: a } = await setup();
        const b = freshOrg();
        const inA = await log.append(a, [
          { channel: 'x', data: 1 },
          { channel: 'x', data: 2 },
        ]);
        await log.append(b, [
          { channel: 'x', data: 1 },
          { channel: 'x', data: 2 },
        ]);
        for (const { event } of inA) {
          expect(await log.position(a, event.cursor)).toBe(event.seq);
          expect(await log.position(b, event.cursor)).toBeUndefined();
        }
        expect(await log.position(b, log.cursorOf(a, 0))).toBeUndefined();
        expect(await log.position(b, log.cursorOf(a, 2))).toBeUndefined();
      });

      it('treats an org never written to as an empty log', async () => {
        const { log, org } = await setup();
        expect(await log.headSeq(org)).toBe(0);
        expect(await log.firstSeq(org)).toBe(1);
        expect(await log.read(org, { from: 'oldest', limit: 10 })).toEqual({
          events: [],
          more: false,
        });
        expect(await log.read(org, { from: 'newest', limit: 10 })).toEqual({
          events: [],
          more: false,
        });
      });
    });

    describe('idempotency keys', () => {
      it('returns the first event with duplicate: true, even when the data differs', async () => {
        const { log, org } = await setup();
        const [first] = await log.append(org, [{ channel: 'orders.1', data: { v: 1 }, key: 'k1' }]);
        const [again] = await log.append(org, [{ channel: 'orders.2', data: { v: 2 }, key: 'k1' }]);
        expect(first?.duplicate).toBe(false);
        expect(again?.duplicate).toBe(true);
        expect(again?.event.eventId).toBe(first?.event.eventId);
        expect(again?.event.cursor).toBe(first?.event.cursor);
        expect(again?.event).toEqual(first?.event);
        expect(await log.headSeq(org)).toBe(1);
      });

      it('does not spend a seq on a duplicate inside a batch', async () => {
        const { log, org } = await setup();
        await log.append(org, [{ channel: 'c', data: 0, key: 'old' }]);
        const results = await log.append(org, [
          { channel: 'c', data: 1, key: 'new' },
          { channel: 'c', data: 2, key: 'old' },
          { channel: 'c', data: 3, key: 'new' }, // repeats a key first seen earlier in this batch
          { channel: 'c', data: 4 },
        ]);
        expect(results.map((r) => [r.event.seq, r.duplicate])).toEqual([
          [2, false],
          [1, true],
          [2, true],
          [3, false],
        ]);
        expect(await log.headSeq(org)).toBe(3);
      });

      it('never deduplicates items without a key', async () => {
        const { log, org } = await setup();
        const results = await log.append(org, [
          { channel: 'c', data: 'same' },
          { channel: 'c', data: 'same' },
        ]);
        expect(results.map((r) => r.duplicate)).toEqual([false, false]);
        expect(await log.headSeq(org)).toBe(2);
      });

      it('keeps keys per org', async () => {
        const { log, org: a } = await setup();
        const b = freshOrg();
        const [inA] = await log.append(a, [{ channel: 'c', data: 1, key: 'shared' }]);
        const [inB] = await log.append(b, [{ channel: 'c', data: 1, key: 'shared' }]);
        expect(inA?.duplicate).toBe(false);
        expect(inB?.duplicate).toBe(false);
        expect(inB?.event.org).toBe(b);
        expect(await log.position(b, inB?.event.cursor ?? '')).toBe(1);
      });

      it('remembers a key while its event is retained', async () => {
        const { log, org, advanceSeconds } = await setup({ historySize: 3, historyTtlSeconds: 60 });
        const [first] = await log.append(org, [{ channel: 'c', data: 1, key: 'k' }]);
        await fill(log, org, 2); // the keyed event is the oldest of the 3 kept
        advanceSeconds(59);
        const [again] = await log.append(org, [{ channel: 'c', data: 2, key: 'k' }]);
        expect(again?.duplicate).toBe(true);
        expect(again?.event.eventId).toBe(first?.event.eventId);
      });

      it('forgets a key once its event is evicted by size', async () => {
        const { log, org } = await setup({ historySize: 2 });
        const [first] = await log.append(org, [{ channel: 'c', data: 1, key: 'k' }]);
        await fill(log, org, 2);
        expect(await log.firstSeq(org)).toBe(2);
        const [again] = await log.append(org, [{ channel: 'c', data: 2, key: 'k' }]);
        expect(again?.duplicate).toBe(false);
        expect(again?.event.seq).toBe(4);
        expect(again?.event.eventId).not.toBe(first?.event.eventId);
      });

      it('forgets a key once its event is evicted by age', async () => {
        const { log, org, advanceSeconds } = await setup({ historyTtlSeconds: 60 });
        await log.append(org, [{ channel: 'c', data: 1, key: 'k' }]);
        advanceSeconds(61);
        const [again] = await log.append(org, [{ channel: 'c', data: 2, key: 'k' }]);
        expect(again?.duplicate).toBe(false);
        expect(again?.event.seq).toBe(2);
      });
    });

    describe('cursors', () => {
      it('maps every event cursor and cursorOf(seq) back to its seq', async () => {
        const { log, org } = await setup();
        const events = await fill(log, org, 5);
        for (const e of events) expect(await log.position(org, e.cursor)).toBe(e.seq);
        for (let seq = 0; seq <= 5; seq++)
          expect(await log.position(org, log.cursorOf(org, seq))).toBe(seq);
      });

      it('places the start-of-log cursor of an empty org', async () => {
        const { log, org } = await setup();
        expect(await log.position(org, log.cursorOf(org, 0))).toBe(0);
      });

      it('cannot place a cursor beyond the head', async () => {
        const { log, org } = await setup();
        expect(await log.position(org, log.cursorOf(org, 1))).toBeUndefined();
        await fill(log, org, 3);
        expect(await log.position(org, log.cursorOf(org, 4))).toBeUndefined();
        expect(await log.position(org, log.cursorOf(org, 1000))).toBeUndefined();
      });

      it.each<[label: string, cursor: (real: string) => string]>([
        ['empty string', () => ''],
        ['blank', () => ' '],
        ['a word', () => 'garbage'],
        ['a bare number', () => '1'], // a seq without the log's epoch
        ['zero', () => '0'],
        ['negative', () => '-1'],
        ['null text', () => 'null'],
        ['emoji', () => '💥'],
        ['very long', () => 'a'.repeat(5000)],
        ['real cursor with a suffix', (real) => `${real}!`],
        ['real cursor with a prefix', (real) => `!${real}`],
        ['real cursor with a trailing space', (real) => `${real} `],
        ['real cursor twice', (real) => `${real}${real}`],
      ])('cannot place garbage: %s', async (_label, cursor) => {
        const { log, org } = await setup();
        const [result] = await log.append(org, one('c'));
        expect(await log.position(org, cursor(result?.event.cursor ?? ''))).toBeUndefined();
      });

      it('is within retention exactly when no event after it was evicted', async () => {
        const { log, org } = await setup({ historySize: 3 });
        const events = await fill(log, org, 6); // keeps 4, 5, 6
        expect(await log.firstSeq(org)).toBe(4);
        const within = await Promise.all(events.map((e) => isWithinRetention(log, org, e.cursor)));
        // the cursor of seq 3 names the spot just before the oldest kept event
        expect(within).toEqual([false, false, true, true, true, true]);
        expect(await isWithinRetention(log, org, log.cursorOf(org, 0))).toBe(false);
      });
    });

    describe('read', () => {
      type Row = [
        range: Omit<ReadRange, 'filter'> & { onlyRoomA?: true },
        seqs: number[],
        more: boolean,
      ];
      // The log holds seq 1..10; odd seqs are on room.a, even ones on room.b.
      it.each<Row>([
        [{ from: 'oldest', limit: 3 }, [1, 2, 3], true],
        [{ from: 'oldest', limit: 10 }, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], false], // exactly all: no more
        [{ from: 'oldest', limit: 50 }, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], false],
        [{ from: 'newest', limit: 3 }, [8, 9, 10], true], // newest still comes oldest first
        [{ from: 'newest', limit: 10 }, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], false],
        [{ from: 'oldest', afterSeq: 0, limit: 2 }, [1, 2], true],
        [{ from: 'oldest', afterSeq: 7, limit: 5 }, [8, 9, 10], false],
        [{ from: 'oldest', afterSeq: 10, limit: 5 }, [], false], // after the head: nothing
        [{ from: 'oldest', afterSeq: 4, beforeSeq: 8, limit: 10 }, [5, 6, 7], false],
        [{ from: 'oldest', afterSeq: 4, beforeSeq: 8, limit: 3 }, [5, 6, 7], false], // events past beforeSeq are not "more"
        [{ from: 'oldest', afterSeq: 4, beforeSeq: 8, limit: 2 }, [5, 6], true],
        [{ from: 'newest', beforeSeq: 5, limit: 2 }, [3, 4], true],
        [{ from: 'newest', beforeSeq: 3, limit: 2 }, [1, 2], false],
        [{ from: 'newest', beforeSeq: 1, limit: 5 }, [], false], // before the first event: nothing
        [{ from: 'newest', afterSeq: 5, limit: 2 }, [9, 10], true],
        [{ from: 'newest', afterSeq: 7, limit: 3 }, [8, 9, 10], false], // events at or before afterSeq are not "more"
        [{ from: 'oldest', limit: 2, onlyRoomA: true }, [1, 3], true],
        [{ from: 'oldest', limit: 5, onlyRoomA: true }, [1, 3, 5, 7, 9], false], // seq 10 exists but does not pass the filter
        [{ from: 'newest', limit: 2, onlyRoomA: true }, [7, 9], true],
        [{ from: 'newest', limit: 5, onlyRoomA: true }, [1, 3, 5, 7, 9], false],
        [{ from: 'oldest', afterSeq: 6, limit: 2, onlyRoomA: true }, [7, 9], false],
        [{ from: 'newest', beforeSeq: 6, limit: 2, onlyRoomA: true }, [3, 5], true],
      ])('%j → %j, more: %s', async ({ onlyRoomA, ...range }, seqs, more) => {
        const { log, org } = await setup();
        await fill(log, org, 10);
        const filter = onlyRoomA === true ? (channel: string) => channel === 'room.a' : undefined;
        const result = await log.read(org, {
          ...range,
          ...(filter === undefined ? {} : { filter }),
        });
        expect(seqsOf(result.events)).toEqual(seqs);
        expect(result.more).toBe(more);
      });

      it('returns nothing, without more, when the filter passes nothing', async () => {
        const { log, org } = await setup();
        await fill(log, org, 5);
        for (const from of ['oldest', 'newest'] as const) {
          expect(await log.read(org, { from, limit: 2, filter: () => false })).toEqual({
            events: [],
            more: false,
          });
        }
      });

      it('pages through the whole log with afterSeq and more', async () => {
        const { log, org } = await setup();
        await fill(log, org, 7);
        const pages: number[][] = [];
        let after = 0;
        for (;;) {
          const page = await log.read(org, { from: 'oldest', afterSeq: after, limit: 3 });
          pages.push(seqsOf(page.events));
          const last = page.events.at(-1);
          if (!page.more || last === undefined) break;
          after = last.seq;
        }
        expect(pages).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
      });
    });

    describeReadBounds(setup);

    describe('retention', () => {
      it('keeps the newest historySize events', async () => {
        const { log, org } = await setup({ historySize: 3 });
        await fill(log, org, 5);
        expect(await log.headSeq(org)).toBe(5);
        expect(await log.firstSeq(org)).toBe(3);
        const { events, more } = await log.read(org, { from: 'oldest', limit: 10 });
        expect(seqsOf(events)).toEqual([3, 4, 5]);
        expect(more).toBe(false);
        const newest = await log.read(org, { from: 'newest', limit: 3 });
        expect(seqsOf(newest.events)).toEqual([3, 4, 5]);
        expect(newest.more).toBe(false);
      });

      it('trims to historySize within one large append', async () => {
        const { log, org } = await setup({ historySize: 3 });
        const results = await log.append(
          org,
          Array.from({ length: 8 }, (_, i) => ({ channel: 'c', data: i })),
        );
        expect(seqsOf(results.map((r) => r.event))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
        expect(await log.firstSeq(org)).toBe(6);
        expect(seqsOf((await log.read(org, { from: 'oldest', limit: 10 })).events)).toEqual([
          6, 7, 8,
        ]);
      });

      it('drops events older than historyTtlSeconds by the injected clock', async () => {
        const { log, org, advanceSeconds } = await setup({ historyTtlSeconds: 60 });
        await log.append(org, one('c')); // seq 1 at t=0
        advanceSeconds(30);
        await log.append(org, one('c')); // seq 2 at t=30
        advanceSeconds(20); // t=50: both younger than 60 s
        expect(await log.firstSeq(org)).toBe(1);
        expect(seqsOf((await log.read(org, { from: 'oldest', limit: 10 })).events)).toEqual([1, 2]);
        advanceSeconds(11); // t=61: seq 1 is 61 s old
        // Each of firstSeq and read sees the clock on its own, whichever is called first.
        expect(await log.firstSeq(org)).toBe(2);
        expect(seqsOf((await log.read(org, { from: 'oldest', limit: 10 })).events)).toEqual([2]);
        advanceSeconds(30); // t=91: seq 2 is 61 s old
        expect(await log.read(org, { from: 'newest', limit: 10 })).toEqual({
          events: [],
          more: false,
        });
        expect(await log.firstSeq(org)).toBe(3);
        expect(await log.headSeq(org)).toBe(2);
      });

      it('keeps counting seqs after every event expired', async () => {
        const { log, org, advanceSeconds } = await setup({ historyTtlSeconds: 10 });
        const [old] = await log.append(org, one('c'));
        advanceSeconds(3600);
        const [next] = await log.append(org, one('c'));
        expect(next?.event.seq).toBe(2);
        expect(await log.firstSeq(org)).toBe(2);
        // the head cursor before the expiry: no event after it was evicted
        expect(await isWithinRetention(log, org, old?.event.cursor ?? '')).toBe(true);
        expect(await isWithinRetention(log, org, log.cursorOf(org, 0))).toBe(false);
      });
    });

    describe('event fields', () => {
      it.each<[label: string, data: JsonValue]>([
        ['null', null],
        ['zero', 0],
        ['a negative decimal', -12.5],
        ['a large number', 1e21], // JSON writes it in exponent form
        ['true', true],
        ['false', false],
        ['an empty string', ''],
        ['text with quotes, escapes and unicode', 'ünï "q" \\ \n\t ✓ 💥 \u2028 </script>'],
        ['an empty array', []],
        ['a mixed array', [1, 'a', null, true, { b: [] }]],
        ['an empty object', {}],
        [
          'a nested object',
          { user: { name: 'Ann', tags: ['x', 'y'], address: { zip: '01234' } }, n: 3 },
        ],
      ])('keeps data as JSON text: %s', async (_label, data) => {
        const { log, org } = await setup();
        const [result] = await log.append(org, [{ channel: 'c', data }]);
        expect(dataOf(result?.event)).toEqual(data);
        const [read] = (await log.read(org, { from: 'oldest', limit: 1 })).events;
        expect(dataOf(read)).toEqual(data);
      });

      it('keeps from when given and leaves it undefined otherwise', async () => {
        const { log, org } = await setup();
        await log.append(org, [
          { channel: 'c', data: 1, from: 'alice' },
          { channel: 'c', data: 2 },
        ]);
        const { events } = await log.read(org, { from: 'oldest', limit: 10 });
        expect(events[0]?.from).toBe('alice');
        expect(events).toHaveLength(2);
        expect(events[1]?.from).toBeUndefined();
      });

      it('stamps tsMs from the injected clock', async () => {
        const { log, org, advanceSeconds, nowMs } = await setup();
        const batch = await log.append(org, [
          { channel: 'c', data: 1 },
          { channel: 'c', data: 2 },
        ]);
        expect(batch.map((r) => r.event.tsMs)).toEqual([START_MS, START_MS]);
        advanceSeconds(1.234);
        const [later] = await log.append(org, one('c'));
        expect(later?.event.tsMs).toBe(nowMs());
        expect(later?.event.tsMs).toBe(START_MS + 1234);
        const { events } = await log.read(org, { from: 'oldest', limit: 10 });
        expect(events.map((e) => e.tsMs)).toEqual([START_MS, START_MS, START_MS + 1234]);
      });

      it('keeps the channel as given', async () => {
        const { log, org } = await setup();
        const [result] = await log.append(org, one('workflow.wf-123.step:@=+_'));
        expect(result?.event.channel).toBe('workflow.wf-123.step:@=+_');
      });
    });
  });
}
