import { describe, expect, it } from 'vitest';
import {
  MAX_NAME_CHARS,
  MAX_SEGMENT_CHARS,
  MAX_SEGMENTS,
  explainBadName,
  isValidChannel,
  isValidOrg,
  isValidPattern,
  isWildcardPattern,
  personalOwner,
} from './channel.js';

const seg64 = 'a'.repeat(64);
const seg65 = 'a'.repeat(65);
const segments16 = Array.from({ length: 16 }, () => 'a').join('.');
const segments17 = Array.from({ length: 17 }, () => 'a').join('.');
// Four valid segments (63 + 63 + 63 + 63 + 3 dots = 255) and (64 + 63 + 63 + 63 + 3 = 256):
// only the total-length rule can tell them apart.
const chars255 = [63, 63, 63, 63].map((n) => 'b'.repeat(n)).join('.');
const chars256 = [64, 63, 63, 63].map((n) => 'b'.repeat(n)).join('.');

describe('limits', () => {
  it('match PROTOCOL.md §1', () => {
    expect([MAX_SEGMENT_CHARS, MAX_SEGMENTS, MAX_NAME_CHARS]).toEqual([64, 16, 255]);
  });

  it('fixtures have the lengths they claim', () => {
    expect([seg64.length, seg65.length, chars255.length, chars256.length]).toEqual([
      64, 65, 255, 256,
    ]);
    expect([segments16.split('.').length, segments17.split('.').length]).toEqual([16, 17]);
  });
});

/** Names and whether each is a valid channel and a valid pattern. */
const names: [name: unknown, channel: boolean, pattern: boolean][] = [
  ['a', true, true],
  ['workflow.wf-123.step', true, true],
  ['AZaz09_-:@=+', true, true], // every allowed character class
  ['user.bob@example.com', true, true], // '@' is allowed; the dots make three segments
  ['a=b.c+d.e:f.g@h', true, true],
  ['Workflow', true, true], // upper case is allowed (and distinct)
  [seg64, true, true], // 64 characters per segment is the limit, inclusive
  [seg65, false, false],
  [`x.${seg64}`, true, true],
  [`x.${seg65}`, false, false],
  [segments16, true, true], // 16 segments is the limit, inclusive
  [segments17, false, false],
  [`${Array.from({ length: 15 }, () => 'a').join('.')}.>`, false, true], // `>` as 16th segment
  [chars255, true, true], // 255 characters is the limit, inclusive
  [chars256, false, false],
  // empty names and segments
  ['', false, false],
  ['.', false, false],
  ['a..b', false, false],
  ['.a', false, false],
  ['a.', false, false],
  ['a.*.', false, false], // empty segment after a wildcard
  // characters outside [A-Za-z0-9_\-:@=+]
  ['a b', false, false],
  ['a/b', false, false],
  ['a#b', false, false],
  ['a$', false, false],
  ['é', false, false],
  ['a\n', false, false],
  ['a,b', false, false],
  // wildcards
  ['*', false, true],
  ['>', false, true],
  ['a.*', false, true],
  ['*.b', false, true],
  ['a.*.c', false, true],
  ['a.>', false, true],
  ['*.>', false, true],
  ['a.>.b', false, false], // `>` only as the last segment
  ['>.a', false, false],
  ['>.>', false, false],
  ['a*', false, false], // a wildcard is a whole segment, not a glob
  ['a.b*', false, false],
  ['**', false, false],
  ['>>', false, false],
  ['a.*b', false, false],
  // not strings
  [42, false, false],
  [null, false, false],
  [undefined, false, false],
  [['a'], false, false],
  [{ channel: 'a' }, false, false],
];

describe('isValidChannel / isValidPattern', () => {
  it.each(names)('%j: channel %s, pattern %s', (name, channel, pattern) => {
    expect(isValidChannel(name)).toBe(channel);
    expect(isValidPattern(name)).toBe(pattern);
  });
});

describe('explainBadName', () => {
  it.each(names)('%j agrees with the predicates', (name, channel, pattern) => {
    expect(explainBadName(name, false) === undefined).toBe(channel);
    expect(explainBadName(name, true) === undefined).toBe(pattern);
  });

  it.each<[name: unknown, allowWildcards: boolean, why: RegExp]>([
    [42, true, /must be a string/],
    [null, false, /must be a string/],
    ['', true, /must not be empty/],
    [chars256, true, /at most 255 characters/],
    [segments17, true, /at most 16 segments/],
    ['a..b', true, /empty segment/],
    ['.a', false, /empty segment/],
    ['a.', true, /empty segment/],
    ['a.*', false, /concrete/],
    ['>', false, /concrete/],
    ['a.>.b', true, /'>' only as the last segment/],
    ['a.>.b', false, /concrete/], // the wildcard itself is the first problem
    [seg65, true, /segment 1 .*1-64 characters/],
    ['a.b c', true, /segment 2 /], // names the 1-based segment
    ['a.b.é', false, /segment 3 /],
  ])('%j (wildcards %s) → %s', (name, allowWildcards, why) => {
    expect(explainBadName(name, allowWildcards)).toMatch(why);
  });

  it('does not echo the name back', () => {
    const name = 'secret-looking-value.with space';
    expect(explainBadName(name, true)).not.toContain('secret-looking-value');
  });
});

describe('isValidOrg', () => {
  it.each<[org: unknown, expected: boolean]>([
    ['acme', true],
    ['Acme-1_:@=+', true],
    [seg64, true],
    [seg65, false],
    ['', false],
    ['a.b', false], // an org is one segment
    ['*', false],
    ['>', false],
    ['a b', false],
    [42, false],
    [null, false],
    [undefined, false],
  ])('%j → %s', (org, expected) => {
    expect(isValidOrg(org)).toBe(expected);
  });
});

describe('isWildcardPattern', () => {
  it.each<[pattern: string, expected: boolean]>([
    ['a', false],
    ['a.b.c', false],
    ['user.bob', false],
    ['*', true],
    ['>', true],
    ['a.*', true],
    ['*.a', true],
    ['a.*.b', true],
    ['a.>', true],
    ['*.>', true],
    ['a*', false], // not a wildcard segment (and not a valid name)
    ['a.b*', false],
    ['a.*b', false],
    ['a>.b', false],
  ])('%s → %s', (pattern, expected) => {
    expect(isWildcardPattern(pattern)).toBe(expected);
  });
});

describe('personalOwner', () => {
  it.each<[name: string, owner: string | undefined]>([
    ['user.bob', 'bob'],
    ['user.bob.notifications', 'bob'],
    ['user.bob.>', 'bob'],
    ['user.alice@x.y', 'alice@x'], // the owner is exactly the second segment
    ['user.*', '*'], // a wildcard owner: the caller decides (PROTOCOL.md §1 refuses it)
    ['user.>', '>'],
    ['user', undefined], // no second segment
    ['users.bob', undefined], // prefix trap
    ['User.bob', undefined], // case-sensitive
    ['x.user.bob', undefined], // only the first segment counts
    ['bob', undefined],
    ['>', undefined],
    ['*.bob', undefined], // broad patterns are not personal
  ])('%s → %s', (name, owner) => {
    expect(personalOwner(name)).toBe(owner);
  });
});
