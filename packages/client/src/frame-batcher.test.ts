import { describe, expect, it } from 'vitest';
import { FrameBatcher, packFrames, utf8ByteLength, type EncodedLine } from './frame-batcher.js';

const line = (text: string): EncodedLine => ({ text, bytes: utf8ByteLength(text) });

describe('utf8ByteLength', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['é', 2],
    ['€', 3],
    ['😀', 4], // surrogate pair
    ['a😀b', 6],
    ['\ud800', 3], // lone high surrogate: encoded as U+FFFD (3 bytes)
    ['\udc00x', 4], // lone low surrogate
  ])('%j is %s bytes', (text, bytes) => {
    expect(utf8ByteLength(text)).toBe(bytes);
    expect(new TextEncoder().encode(text).length).toBe(bytes);
  });
});

describe('packFrames', () => {
  it.each([
    // lines, max bytes, frames
    [['a', 'b', 'c'], 100, ['a\nb\nc']],
    [['aaaa', 'bbbb'], 9, ['aaaa\nbbbb']], // 4 + 1 + 4 = 9 fits exactly (inclusive)
    [['aaaa', 'bbbb'], 8, ['aaaa', 'bbbb']],
    [['aaaaaaaaaa', 'b'], 5, ['aaaaaaaaaa', 'b']], // an oversize line goes alone
    [['a', 'b', 'c', 'd'], 3, ['a\nb', 'c\nd']],
    [[], 10, []],
  ])('%j with max %s -> %j', (texts, max, frames) => {
    expect(packFrames(texts.map(line), max)).toEqual(frames);
  });
});

describe('FrameBatcher', () => {
  it('sends lines pushed in one tick as one frame, in a microtask', async () => {
    const frames: string[] = [];
    const b = new FrameBatcher(1000, (f) => frames.push(f));
    b.push(line('{"type":"a"}'));
    b.push(line('{"type":"b"}'));
    expect(frames).toEqual([]);
    await Promise.resolve();
    expect(frames).toEqual(['{"type":"a"}\n{"type":"b"}']);
    b.push(line('{"type":"c"}'));
    await Promise.resolve();
    expect(frames).toEqual(['{"type":"a"}\n{"type":"b"}', '{"type":"c"}']);
  });

  it('drops what is discarded before the flush', async () => {
    const frames: string[] = [];
    const b = new FrameBatcher(1000, (f) => frames.push(f));
    b.push(line('x'));
    b.discard();
    await Promise.resolve();
    expect(frames).toEqual([]);
  });
});
