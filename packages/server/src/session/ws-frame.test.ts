import { describe, expect, it } from 'vitest';
import { FrameCache, frameLines, frameText } from './ws-frame.js';

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
