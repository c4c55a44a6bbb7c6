import { describe, expect, it } from 'vitest';
import { MAX_DATA_DEPTH_DEFAULT, jsonDepthExceeds } from './json-depth.js';

/** `levels` arrays nested in one another around `inner`: `[[[inner]]]` for 3. */
function nestedArrays(levels: number, inner: unknown = 1): unknown {
  return JSON.parse('['.repeat(levels) + JSON.stringify(inner) + ']'.repeat(levels));
}

/** `levels` objects nested as `{"a":{"a":...inner}}`. */
function nestedObjects(levels: number, inner: unknown = 1): unknown {
  return JSON.parse('{"a":'.repeat(levels) + JSON.stringify(inner) + '}'.repeat(levels));
}

describe('jsonDepthExceeds', () => {
  // A scalar has depth 0, `{}` and `[]` depth 1, and each container around another adds 1.
  it.each<[label: string, value: unknown, maxDepth: number, expected: boolean]>([
    ['a number', 1, 0, false],
    ['null', null, 0, false],
    ['a string full of brackets', '[[[[{{{{', 1, false], // text is not nesting
    ['an empty object at 0', {}, 0, true],
    ['an empty object at 1', {}, 1, false],
    ['an empty array at 0', [], 0, true],
    ['an empty array at 1', [], 1, false],
    ['a flat object', { a: 1, b: 'x', c: null, d: true }, 1, false],
    ['a flat array', [1, 'x', null, false], 1, false],
    ['an object in an array at 1', [{}], 1, true], // 2 levels, 1 allowed
    ['an object in an array at 2', [{}], 2, false],
    ['an array in an object at 2', { a: [] }, 2, false],
    ['an array in an object at 1', { a: [] }, 1, true],
    ['64 arrays at 64', nestedArrays(64), 64, false], // the limit itself is allowed
    ['65 arrays at 64', nestedArrays(65), 64, true],
    ['64 objects at 64', nestedObjects(64), 64, false],
    ['65 objects at 64', nestedObjects(65), 64, true],
    ['63 arrays around an empty object at 64', nestedArrays(63, {}), 64, false],
    ['64 arrays around an empty object at 64', nestedArrays(64, {}), 64, true],
    ['alternating objects and arrays', nestedObjects(10, nestedArrays(10)), 20, false],
    ['alternating objects and arrays, one too many', nestedObjects(10, nestedArrays(11)), 20, true],
    // the deep branch is not the first one: every branch is walked
    ['a deep last element', [1, {}, [], 'x', nestedArrays(5)], 5, true],
    ['a deep last key', { a: 1, b: {}, c: [], z: nestedObjects(5) }, 5, true],
    ['a deep first key', { z: nestedObjects(5), a: 1 }, 5, true],
    ['siblings do not add up', [[[]], [[]], [[]]], 3, false],
    ['a wide flat array', Array.from({ length: 10_000 }, (_, i) => i), 1, false],
    ['a wide array of small objects', Array.from({ length: 10_000 }, () => ({ a: [1] })), 3, false],
    ['a key named __proto__', JSON.parse('{"__proto__":{"a":{}}}'), 2, true],
  ])('%s → %s', (_label, value, maxDepth, expected) => {
    expect(jsonDepthExceeds(value, maxDepth)).toBe(expected);
  });

  it('walks a million levels without recursion', () => {
    const deep = nestedArrays(1_000_000);
    expect(jsonDepthExceeds(deep, MAX_DATA_DEPTH_DEFAULT)).toBe(true);
    expect(jsonDepthExceeds(deep, 999_999)).toBe(true);
    expect(jsonDepthExceeds(deep, 1_000_000)).toBe(false);
  });

  it('stops at a cycle instead of looping (data built in code, not parsed)', () => {
    const a: unknown[] = [];
    a.push(a);
    expect(jsonDepthExceeds(a, 64)).toBe(true);
  });

  it('defaults to the 64 levels of PROTOCOL.md §9', () => {
    expect(MAX_DATA_DEPTH_DEFAULT).toBe(64);
  });
});
