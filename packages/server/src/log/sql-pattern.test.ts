import Database from 'better-sqlite3';
import fc from 'fast-check';
import { matchPattern } from '@hubcast/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import {
  isSqliteExact,
  patternGlob,
  patternRegex,
  postgresPatternPredicate,
  sqlitePatternPredicate,
} from './sql-pattern.js';

describe('patternGlob', () => {
  it.each<[pattern: string, glob: string]>([
    ['a', 'a'],
    ['a.b-c:d@e=f+g_h', 'a.b-c:d@e=f+g_h'], // every legal character stands for itself
    ['*', '*'],
    ['a.*.c', 'a.*.c'],
    ['>', '*'],
    ['a.>', 'a.*'],
    ['*.*.>', '*.*.*'],
  ])('%s → %s', (pattern, glob) => {
    expect(patternGlob(pattern)).toBe(glob);
  });
});

describe('isSqliteExact', () => {
  it.each<[pattern: string, exact: boolean]>([
    ['a.b', true],
    ['a.*.c', true], // the dot count pins every segment
    ['>', true],
    ['a.b.>', true],
    ['*.>', true], // only the segment count is asked
    ['a.*.*.>', true],
    ['*.b.>', false], // the `*` may swallow a dot: x.y.b.z passes the GLOB
    ['a.*.c.>', false],
  ])('%s → %s', (pattern, exact) => {
    expect(isSqliteExact(pattern)).toBe(exact);
  });
});

describe('patternRegex', () => {
  it.each<[pattern: string, regex: string]>([
    ['a', '^a$'],
    ['a.b', '^a\\.b$'],
    ['a_b-c:d@e=f+g', '^a_b\\-c\\:d\\@e\\=f\\+g$'],
    ['*', '^[^.]+$'],
    ['a.*.c', '^a\\.[^.]+\\.c$'],
    ['>', '^.+$'],
    ['a.>', '^a\\..+$'],
  ])('%s → %s', (pattern, regex) => {
    expect(patternRegex(pattern)).toBe(regex);
  });
});

describe('postgresPatternPredicate', () => {
  it.each<[patterns: string[], sql: string, params: (string | string[])[]]>([
    [[], 'false', []],
    [['a.b', 'NULL'], '(channel = ANY($3::text[]))', [['a.b', 'NULL']]],
    [['a.*', '>'], '(channel ~ $3)', ['^(?:a\\.[^.]+|.+)$']],
    [['a', 'b.>'], '(channel = ANY($3::text[]) OR channel ~ $4)', [['a'], '^(?:b\\..+)$']],
  ])('%j', (patterns, sql, params) => {
    expect(postgresPatternPredicate(patterns, 3)).toEqual({ sql, params });
  });
});

describe('sqlitePatternPredicate on SQLite', () => {
  const db = new Database(':memory:');
  afterAll(() => db.close());
  db.exec('CREATE TABLE t (channel TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO t (channel) VALUES (?)');

  /** The channels of `channels` that the SQL predicate keeps, in order. */
  function kept(patterns: readonly string[], channels: readonly string[]): string[] {
    db.exec('DELETE FROM t');
    for (const channel of channels) insert.run(channel);
    const { sql, params } = sqlitePatternPredicate(patterns);
    return db
      .prepare<unknown[], { channel: string }>(`SELECT channel FROM t WHERE ${sql} ORDER BY rowid`)
      .all(...params)
      .map((row) => row.channel);
  }

  // Few distinct segments, so that patterns and channels meet often; LIKE's `_` and case traps.
  const segment = fc.constantFrom('a', 'b', 'ab', 'a_b', 'aXb', 'A', 'x-y', 'k:@=+');
  const channel = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join('.'));
  const pattern = fc
    .tuple(
      fc.array(fc.oneof(segment, fc.constant('*')), { minLength: 0, maxLength: 4 }),
      fc.boolean(),
    )
    .filter(([segments, tail]) => segments.length > 0 || tail)
    .map(([segments, tail]) => [...segments, ...(tail ? ['>'] : [])].join('.'));

  it('keeps exactly what matchPattern keeps (a superset only where isSqliteExact says so)', () => {
    fc.assert(
      fc.property(
        fc.array(pattern, { minLength: 0, maxLength: 3 }),
        fc.array(channel, { minLength: 1, maxLength: 30 }),
        (patterns, channels) => {
          const want = channels.filter((c) => patterns.some((p) => matchPattern(p, c)));
          const got = kept(patterns, channels);
          if (patterns.every(isSqliteExact)) expect(got).toEqual(want);
          else expect(got).toEqual(expect.arrayContaining(want));
        },
      ),
      { numRuns: 500 },
    );
  });

  it.each<[patterns: string[], channels: string[], want: string[]]>([
    [['a_b'], ['a_b', 'aXb'], ['a_b']], // `_` is literal
    [['a'], ['a', 'A'], ['a']], // case counts
    [['a.*'], ['a.b', 'a.b.c', 'a'], ['a.b']],
    [['a.>'], ['a', 'a.b', 'a.b.c', 'ab.c'], ['a.b', 'a.b.c']],
    [['*.b.>'], ['a.b.c', 'x.y.b.z'], ['a.b.c', 'x.y.b.z']], // the documented superset
    [[], ['a'], []],
  ])('%j over %j keeps %j', (patterns, channels, want) => {
    expect(kept(patterns, channels)).toEqual(want);
  });
});
