import { describe, expect, it } from 'vitest';
import { indexedPrefix, trigramPhrase } from './chat-rows.js';

describe('trigramPhrase', () => {
  it.each([
    ['too short for a trigram', 'ab', undefined],
    ['one trigram', 'abc', '"abc"'],
    // Four trigrams spread from the start to the end, whatever the length.
    ['a long needle asks for four', 'abcdefghij', '"abc" AND "cde" AND "fgh" AND "hij"'],
    ['repeats collapse', 'aaaaaaaa', '"aaa"'],
    // A quote is doubled, so it is a character, never query syntax.
    ['quotes', 'a"b"c', '"a""b" AND """b""" AND "b""c"'],
    ['code points, not UTF-16 units', '🎉🎉🎉', '"🎉🎉🎉"'],
  ])('%s', (_label, needle, query) => {
    expect(trigramPhrase(needle)).toBe(query);
  });

  it('asks for at most four trigrams of a 200-character needle', () => {
    expect(trigramPhrase('the '.repeat(50))?.split(' AND ')).toHaveLength(4);
  });
});

describe('indexedPrefix', () => {
  it.each([
    ['a short needle whole', 'abc', 'abc'],
    ['a long one cut to six characters (four trigrams)', 'abcdefghij', 'abcdef'],
    ['code points', '🎉🎉🎉🎉🎉🎉🎉', '🎉🎉🎉🎉🎉🎉'],
  ])('%s', (_label, needle, prefix) => {
    expect(indexedPrefix(needle)).toBe(prefix);
  });
});
