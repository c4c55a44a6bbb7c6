/**
 * The part of the `EventLog` contract about bounded reads (log.ts `ReadRange`): `maxScan`,
 * `maxBytes`, `patterns` and the `scannedTo` a read that stopped early answers. Called by
 * `describeEventLog` with its own setup, so every log passes it; never run on its own.
 */
import { matchPattern } from '@hubcast/protocol';
import { describe, expect, it } from 'vitest';
import type { AppendInput, EventLog, LogEvent, ReadRange, ReadResult } from './log.js';
import { eventPageBytes } from './read-page.js';

export type ReadBoundsSetup = (opts?: {
  historySize?: number;
}) => Promise<{ log: EventLog; org: string }>;

const seqsOf = (events: readonly LogEvent[]): number[] => events.map((e) => e.seq);

/** Appends seq 1..count in one call: odd seqs on `room.a`, even ones on `room.b`. */
async function fillRooms(log: EventLog, org: string, count: number): Promise<void> {
  await log.append(
    org,
    Array.from({ length: count }, (_, i) => ({
      channel: i % 2 === 0 ? 'room.a' : 'room.b',
      data: { n: i + 1 },
    })),
  );
}

const onlyRoomA = (channel: string): boolean => channel === 'room.a';

/** Reads every page of `range`, going on from `scannedTo`, and answers the pages. */
async function readAllPages(log: EventLog, org: string, range: ReadRange): Promise<ReadResult[]> {
  const pages: ReadResult[] = [];
  let next = range;
  for (let i = 0; i < 1000; i++) {
    const page = await log.read(org, next);
    pages.push(page);
    if (!page.more) return pages;
    expect(page.scannedTo).toEqual(expect.any(Number));
    const to = page.scannedTo as number;
    next = range.from === 'oldest' ? { ...range, afterSeq: to } : { ...range, beforeSeq: to };
  }
  throw new Error('paging did not end');
}

export function describeReadBounds(setup: ReadBoundsSetup): void {
  describe('bounded reads', () => {
    type Row = [
      range: Omit<ReadRange, 'filter'> & { roomA?: true },
      seqs: number[],
      scannedTo: number | undefined,
    ];
    // The log holds seq 1..10; odd seqs are on room.a, even ones on room.b.
    it.each<Row>([
      [{ from: 'oldest', limit: 10, maxScan: 4 }, [1, 2, 3, 4], 4],
      [{ from: 'oldest', limit: 10, maxScan: 4, roomA: true }, [1, 3], 4],
      [{ from: 'oldest', limit: 10, maxScan: 4, patterns: ['nothing.here'] }, [], 4],
      [{ from: 'oldest', limit: 10, maxScan: 10 }, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], undefined], // the cap is the whole range: nothing left
      [{ from: 'newest', limit: 10, maxScan: 4 }, [7, 8, 9, 10], 7],
      [{ from: 'newest', limit: 10, maxScan: 4, roomA: true }, [7, 9], 7],
      [{ from: 'oldest', afterSeq: 3, limit: 10, maxScan: 4 }, [4, 5, 6, 7], 7],
      [{ from: 'newest', beforeSeq: 8, limit: 10, maxScan: 4 }, [4, 5, 6, 7], 4],
      [{ from: 'oldest', afterSeq: 4, beforeSeq: 8, limit: 10, maxScan: 3 }, [5, 6, 7], undefined],
      [{ from: 'oldest', limit: 3 }, [1, 2, 3], 3],
      [{ from: 'newest', limit: 3 }, [8, 9, 10], 8],
      [{ from: 'oldest', limit: 2, roomA: true }, [1, 3], 4], // the next match, 5, is where to go on
      [{ from: 'newest', limit: 2, roomA: true }, [7, 9], 6],
      [{ from: 'oldest', limit: 2, maxScan: 3, roomA: true }, [1, 3], 3], // limit reached, no match after it in the window
      [{ from: 'oldest', limit: 1, maxScan: 3, roomA: true }, [1], 2],
      [{ from: 'oldest', limit: 10, patterns: ['room.b'] }, [2, 4, 6, 8, 10], undefined],
      [{ from: 'oldest', limit: 10, patterns: ['room.b', 'room.a'], maxScan: 3 }, [1, 2, 3], 3],
      [{ from: 'oldest', limit: 10, patterns: [] }, [], undefined], // no pattern matches nothing
      [
        { from: 'newest', limit: 10, patterns: ['room.*'], roomA: true },
        [1, 3, 5, 7, 9],
        undefined,
      ], // patterns and filter both apply
    ])('%j → %j, scannedTo %s', async ({ roomA, ...range }, seqs, scannedTo) => {
      const { log, org } = await setup();
      await fillRooms(log, org, 10);
      const result = await log.read(org, { ...range, ...(roomA ? { filter: onlyRoomA } : {}) });
      expect(seqsOf(result.events)).toEqual(seqs);
      expect(result.more).toBe(scannedTo !== undefined);
      expect(result.scannedTo).toBe(scannedTo);
    });

    it('counts maxScan from the oldest retained event, not from seq 1', async () => {
      const { log, org } = await setup({ historySize: 5 });
      await fillRooms(log, org, 10); // keeps 6..10
      const page = await log.read(org, { from: 'oldest', limit: 10, maxScan: 2 });
      expect(seqsOf(page.events)).toEqual([6, 7]);
      expect(page.scannedTo).toBe(7);
    });

    it('answers a scannedTo that cursorOf and position place, also on a seq that did not match', async () => {
      const { log, org } = await setup();
      await fillRooms(log, org, 10);
      const page = await log.read(org, {
        from: 'oldest',
        limit: 10,
        maxScan: 4,
        filter: onlyRoomA,
      });
      expect(page.scannedTo).toBe(4); // room.b
      expect(await log.position(org, log.cursorOf(org, 4))).toBe(4);
    });

    it('pages through a sparse log, returning each match once and in order', async () => {
      const { log, org } = await setup();
      await fillRooms(log, org, 10);
      const combos: { from: 'oldest' | 'newest'; limit: number; maxScan?: number }[] = [];
      for (const from of ['oldest', 'newest'] as const)
        for (const limit of [1, 2, 5])
          for (const maxScan of [1, 2, 3, 7, undefined])
            combos.push({ from, limit, ...(maxScan === undefined ? {} : { maxScan }) });
      for (const filter of [undefined, onlyRoomA, () => false]) {
        const want = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].filter(
          (seq) => filter === undefined || filter(seq % 2 === 1 ? 'room.a' : 'room.b'),
        );
        for (const combo of combos) {
          const pages = await readAllPages(log, org, {
            ...combo,
            ...(filter === undefined ? {} : { filter }),
          });
          if (combo.from === 'newest') pages.reverse();
          const seqs = pages.flatMap((p) => seqsOf(p.events));
          expect({ combo, filter: filter?.name, seqs }).toEqual({
            combo,
            filter: filter?.name,
            seqs: want,
          });
          for (const p of pages) expect(p.events.length).toBeLessThanOrEqual(combo.limit);
        }
      }
    });

    describe('maxBytes', () => {
      /** Four events whose data is 202 bytes of UTF-8 but 102 UTF-16 code units. */
      async function fillWide(log: EventLog, org: string): Promise<number> {
        const items: AppendInput[] = Array.from({ length: 4 }, () => ({
          channel: 'wide',
          data: 'é'.repeat(100),
        }));
        await log.append(org, items);
        return eventPageBytes(202, 'wide');
      }

      it.each(['oldest', 'newest'] as const)(
        'cuts a page (%s) where the UTF-8 bytes pass the budget',
        async (from) => {
          const { log, org } = await setup();
          const cost = await fillWide(log, org);
          const exact = await log.read(org, { from, limit: 10, maxBytes: 2 * cost });
          expect(seqsOf(exact.events)).toEqual(from === 'oldest' ? [1, 2] : [3, 4]);
          expect(exact.more).toBe(true);
          expect(exact.scannedTo).toBe(from === 'oldest' ? 2 : 3);
          // One byte short of two events: counting characters would still let two in.
          const short = await log.read(org, { from, limit: 10, maxBytes: 2 * cost - 1 });
          expect(seqsOf(short.events)).toEqual(from === 'oldest' ? [1] : [4]);
          expect(short.scannedTo).toBe(from === 'oldest' ? 1 : 4);
        },
      );

      it('returns the first match even when it alone passes the budget', async () => {
        const { log, org } = await setup();
        await fillWide(log, org);
        const page = await log.read(org, { from: 'oldest', afterSeq: 2, limit: 10, maxBytes: 1 });
        expect(seqsOf(page.events)).toEqual([3]);
        expect(page.more).toBe(true);
        expect(page.scannedTo).toBe(3);
      });

      it('lets limit end the page first, and the whole range fit without more', async () => {
        const { log, org } = await setup();
        const cost = await fillWide(log, org);
        const byLimit = await log.read(org, { from: 'oldest', limit: 1, maxBytes: 10 * cost });
        expect([seqsOf(byLimit.events), byLimit.more, byLimit.scannedTo]).toEqual([[1], true, 1]);
        const all = await log.read(org, { from: 'oldest', limit: 10, maxBytes: 4 * cost });
        expect([seqsOf(all.events), all.more, all.scannedTo]).toEqual([
          [1, 2, 3, 4],
          false,
          undefined,
        ]);
      });

      it('pages through everything with a budget of one event', async () => {
        const { log, org } = await setup();
        await fillWide(log, org);
        for (const from of ['oldest', 'newest'] as const) {
          const pages = await readAllPages(log, org, { from, limit: 10, maxBytes: 1 });
          if (from === 'newest') pages.reverse();
          expect(pages.map((p) => seqsOf(p.events))).toEqual([[1], [2], [3], [4]]);
        }
      });
    });

    describe('patterns', () => {
      const channels = [
        'a',
        'b',
        'a.b',
        'a.c',
        'ab',
        'a.b.c',
        'a.x.c',
        'a.b.c.d',
        'x.b.c',
        'x.y.b.z',
        'a_b',
        'aXb',
        'a-b.c',
        'a:b@c=d+e',
        'A.b',
        'user.bob.notes',
      ];
      // Rows are patterns; a SQL log must not let LIKE or GLOB metacharacters, case or a `*`
      // that swallows a dot change the answer.
      it.each<[patterns: string[]]>([
        [['a']],
        [['a.b']],
        [['a_b']], // `_` is a LIKE wildcard: must not match aXb
        [['a-b.c']],
        [['a:b@c=d+e']],
        [['*']],
        [['*.b']],
        [['a.*']],
        [['a.*.c']],
        [['*.*.*']],
        [['>']],
        [['a.>']],
        [['a.b.>']],
        [['*.>']],
        [['*.b.>']], // x.y.b.z has a b, but not as its second segment
        [['a.*.>']],
        [['*.*.c.>']],
        [['a', 'a.*.c', 'x.>']],
        [['user.>']],
        [['nothing']],
      ])('reads what matchPattern keeps for %j', async (patterns) => {
        const { log, org } = await setup();
        await log.append(
          org,
          channels.map((channel) => ({ channel, data: channel })),
        );
        const want = channels.filter((c) => patterns.some((p) => matchPattern(p, c)));
        for (const from of ['oldest', 'newest'] as const) {
          const page = await log.read(org, { from, limit: 100, patterns });
          expect(page.events.map((e) => e.channel)).toEqual(want);
          expect(page.more).toBe(false);
        }
      });
    });
  });
}
