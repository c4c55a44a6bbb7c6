import { describe, expect, it } from 'vitest';
import { BatchFrameCache, FrameCache, frameLines, frameText } from './ws-frame.js';

describe('frameText (RFC 6455 §5.2)', () => {
  it.each<[name: string, size: number, header: number[]]>([
    ['empty', 0, [0x81, 0]],
    ['short', 5, [0x81, 5]],
    ['the largest 7-bit length', 125, [0x81, 125]],
    ['the smallest 16-bit length', 126, [0x81, 126, 0, 126]], // header grows to 4 bytes
    ['the largest 16-bit length', 65535, [0x81, 126, 0xff, 0xff]],
    ['the smallest 64-bit length', 65536, [0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0]], // 10 bytes
  ])(
    '%s payload (%i bytes): FIN text, unmasked, exact header, payload after',
    (_n, size, header) => {
      const payload = Buffer.alloc(size, 'x');
      const frame = frameText(payload);
      expect([...frame.subarray(0, header.length)]).toEqual(header);
      expect(frame.length).toBe(header.length + size);
      expect(frame.subarray(header.length).equals(payload)).toBe(true);
    },
  );
});

describe('frameLines', () => {
  it.each([
    ['one part', ['{"a":1}']],
    ['three parts', ['{"a":1}', '{"b":2}', '{}']],
    ['crossing the 7-bit length', ['x'.repeat(100), 'y'.repeat(100)]], // 201 bytes: 16-bit length
  ])('%s: one frame of the parts joined by newlines', (_name, parts) => {
    const [first, ...more] = parts.map((p) => Buffer.from(p));
    const joined = parts.join('\n');
    const frame = frameLines(first as Buffer, more, Buffer.byteLength(joined));
    expect(frame.equals(frameText(Buffer.from(joined)))).toBe(true);
  });
});

describe('FrameCache', () => {
  it('frames a payload once while the same buffer comes again', () => {
    const cache = new FrameCache();
    const a = Buffer.from('{"a":1}');
    const first = cache.frame(a);
    expect(cache.frame(a)).toBe(first);
    const b = Buffer.from('{"a":1}');
    expect(cache.frame(b)).not.toBe(first); // equal bytes, another buffer: framed anew
    expect(cache.frame(b)).toEqual(first);
  });
});

describe('BatchFrameCache', () => {
  const parts = (...texts: string[]): Buffer[] => texts.map((t) => Buffer.from(t));
  const bytes = (first: Buffer, more: Buffer[]): number =>
    first.length + more.reduce((n, b) => n + 1 + b.length, 0);

  it('frames the same buffers in the same order once, and the frame is the joined batch', () => {
    const cache = new BatchFrameCache();
    const [a, b, c] = parts('{"a":1}', '{"b":2}', '{"c":3}') as [Buffer, Buffer, Buffer];
    const frame = cache.frame(a, [b, c], bytes(a, [b, c]));
    expect(frame.equals(frameText(Buffer.from('{"a":1}\n{"b":2}\n{"c":3}')))).toBe(true);
    // Another recipient's queue: a new array holding the same shared buffers.
    expect(cache.frame(a, [b, c], bytes(a, [b, c]))).toBe(frame);
  });

  it('builds a new frame when a buffer, the order or the length differs', () => {
    const cache = new BatchFrameCache();
    const [a, b, c] = parts('{"a":1}', '{"b":2}', '{"c":3}') as [Buffer, Buffer, Buffer];
    const abc = cache.frame(a, [b, c], bytes(a, [b, c]));
    const acb = cache.frame(a, [c, b], bytes(a, [c, b]));
    expect(acb).not.toBe(abc);
    expect(acb.equals(frameText(Buffer.from('{"a":1}\n{"c":3}\n{"b":2}')))).toBe(true);
    const ab = cache.frame(a, [b], bytes(a, [b]));
    expect(ab.equals(frameText(Buffer.from('{"a":1}\n{"b":2}')))).toBe(true);
    const copy = Buffer.from(b); // equal bytes, another buffer: not the shared event
    const withCopy = cache.frame(a, [copy], bytes(a, [copy]));
    expect(withCopy).not.toBe(ab);
    expect(withCopy).toEqual(ab);
  });

  it('keeps two batches, so queues with and without a heartbeat do not evict each other', () => {
    const cache = new BatchFrameCache();
    const [a, b, ping, other] = parts('{"a":1}', '{"b":2}', '{"type":"ping"}', '{"o":0}') as [
      Buffer,
      Buffer,
      Buffer,
      Buffer,
    ];
    const plain = cache.frame(a, [b], bytes(a, [b]));
    const pinged = cache.frame(a, [b, ping], bytes(a, [b, ping]));
    expect(cache.frame(a, [b], bytes(a, [b]))).toBe(plain);
    expect(cache.frame(a, [b, ping], bytes(a, [b, ping]))).toBe(pinged);
    cache.frame(other, [b], bytes(other, [b])); // a third batch evicts the least recent
    expect(cache.frame(a, [b, ping], bytes(a, [b, ping]))).toBe(pinged);
    expect(cache.frame(a, [b], bytes(a, [b]))).not.toBe(plain);
  });

  it('holds nothing after clear: the same batch is framed anew', () => {
    const cache = new BatchFrameCache();
    const [a, b] = parts('{"a":1}', '{"b":2}') as [Buffer, Buffer];
    const before = cache.frame(a, [b], bytes(a, [b]));
    cache.clear();
    const after = cache.frame(a, [b], bytes(a, [b]));
    expect(after).not.toBe(before);
    expect(after).toEqual(before);
  });
});
