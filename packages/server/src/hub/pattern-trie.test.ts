import { matchPattern } from '@hubcast/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PatternIndex } from './pattern-trie.js';

/** Every value `match` visits, sorted (a value under two matching patterns shows twice). */
function matched<T extends string | number>(index: PatternIndex<T>, channel: string): T[] {
  const out: T[] = [];
  index.match(channel, (v) => out.push(v));
  return out.sort();
}

const PATTERNS = ['a', 'a.b', 'a.*', '*.b', 'a.>', '>', '*', 'a.*.c', 'a.b.>', 'x.y'];

function indexOf(patterns: readonly string[]): PatternIndex<string> {
  const index = new PatternIndex<string>();
  for (const p of patterns) index.add(p, p);
  return index;
}

describe('PatternIndex.match', () => {
  // Each value is the pattern it was added under.
  it.each<[channel: string, expected: string[]]>([
    ['a', ['*', '>', 'a']],
    ['a.b', ['*.b', '>', 'a.*', 'a.>', 'a.b']],
    ['a.c', ['>', 'a.*', 'a.>']],
    ['a.b.c', ['>', 'a.*.c', 'a.>', 'a.b.>']], // `a.*` takes one segment only
    ['a.b.c.d', ['>', 'a.>', 'a.b.>']],
    ['b', ['*', '>']],
    ['x.b', ['*.b', '>']],
    ['x.y', ['>', 'x.y']],
    ['x.y.z', ['>']], // an exact pattern matches only itself
    ['ab', ['*', '>']], // `a` is not a prefix match of `ab`
    ['a.bc', ['>', 'a.*', 'a.>']],
  ])('%s → %j', (channel, expected) => {
    expect(matched(indexOf(PATTERNS), channel)).toEqual([...expected].sort());
  });

  it('visits a value once per matching pattern it was added under', () => {
    const index = new PatternIndex<number>();
    index.add('a.*', 1);
    index.add('a.>', 1);
    index.add('a.b', 1);
    index.add('a.b', 2);
    expect(matched(index, 'a.b')).toEqual([1, 1, 1, 2]);
  });

  it('stops matching after delete and prunes without hurting siblings', () => {
    const index = indexOf(PATTERNS);
    index.delete('a.*.c', 'a.*.c');
    index.delete('a.b.>', 'a.b.>');
    index.delete('a.b', 'a.b');
    expect(matched(index, 'a.b.c')).toEqual(['>', 'a.>']);
    expect(matched(index, 'a.b')).toEqual(['*.b', '>', 'a.*', 'a.>']);
    index.add('a.*.c', 'again');
    expect(matched(index, 'a.b.c')).toEqual(['>', 'a.>', 'again']);
  });

  it('ignores deletes of patterns or values it does not hold', () => {
    const index = indexOf(['a.*', 'a.b']);
    index.delete('a.*', 'other value');
    index.delete('a.b', 'other value');
    index.delete('q.*.>', 'q.*.>');
    index.delete('nope', 'nope');
    expect(matched(index, 'a.b')).toEqual(['a.*', 'a.b']);
    expect(index.isEmpty).toBe(false);
  });
});

describe('PatternIndex.exactMatches and isEmpty', () => {
  it('lists only the exact subscribers of a channel', () => {
    const index = indexOf(PATTERNS);
    expect([...(index.exactMatches('a.b') ?? [])]).toEqual(['a.b']);
    expect(index.exactMatches('a.c')).toBeUndefined();
  });

  it('is empty when new and again after every pattern is deleted', () => {
    const index = new PatternIndex<string>();
    expect(index.isEmpty).toBe(true);
    index.add('a.b', 'v');
    index.add('a.*', 'v');
    index.add('>', 'v');
    expect(index.isEmpty).toBe(false);
    index.delete('a.b', 'v');
    index.delete('a.*', 'v');
    expect(index.isEmpty).toBe(false);
    index.delete('>', 'v');
    expect(index.isEmpty).toBe(true);
  });

  it('holds a (pattern, value) pair once, however often it is added', () => {
    const index = new PatternIndex<string>();
    index.add('a.*', 'v');
    index.add('a.*', 'v');
    index.add('a.b', 'v');
    index.add('a.b', 'v');
    expect(matched(index, 'a.b')).toEqual(['v', 'v']);
    index.delete('a.*', 'v');
    index.delete('a.b', 'v');
    expect(matched(index, 'a.b')).toEqual([]);
    expect(index.isEmpty).toBe(true);
  });
});

describe('PatternIndex against a naive scan (property)', () => {
  const segment = fc.constantFrom('a', 'b', 'c');
  const patternSegment = fc.constantFrom('a', 'b', 'c', '*');
  const pattern = fc
    .tuple(fc.array(patternSegment, { minLength: 1, maxLength: 4 }), fc.boolean())
    .map(([segments, rest]) => (rest ? [...segments.slice(0, -1), '>'] : segments).join('.'));
  const channel = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join('.'));
  const op = fc.record({ add: fc.boolean(), pattern, value: fc.integer({ min: 0, max: 3 }) });

  it('matches exactly the values whose pattern matchPattern accepts, after adds and deletes', () => {
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 60 }),
        fc.array(channel, { minLength: 1, maxLength: 10 }),
        (ops, channels) => {
          const index = new PatternIndex<number>();
          /** The reference: the set of live (pattern, value) pairs. */
          const live = new Map<string, { pattern: string; value: number }>();
          for (const { add, pattern: p, value } of ops) {
            const key = `${p}\0${value}`;
            if (add) {
              index.add(p, value);
              live.set(key, { pattern: p, value });
            } else {
              index.delete(p, value);
              live.delete(key);
            }
          }
          for (const c of channels) {
            const expected = [...live.values()]
              .filter((entry) => matchPattern(entry.pattern, c))
              .map((entry) => entry.value)
              .sort();
            expect(matched(index, c)).toEqual(expected);
            const exact = [...live.values()]
              .filter((entry) => entry.pattern === c)
              .map((entry) => entry.value);
            expect([...(index.exactMatches(c) ?? [])].sort()).toEqual(exact.sort());
          }
          expect(index.isEmpty).toBe(live.size === 0);
          // Deleting every live pair must leave nothing behind, however often pairs were added.
          for (const entry of live.values()) index.delete(entry.pattern, entry.value);
          expect(index.isEmpty).toBe(true);
          for (const c of channels) expect(matched(index, c)).toEqual([]);
        },
      ),
      { numRuns: 500 },
    );
  });
});
