import { describe, expect, it } from 'vitest';
import { Receiver } from 'ws';
import { FrameCache, frameText } from './ws-frame.js';

/** Parses frames with ws's own receiver (the reference implementation) and returns texts. */
function parseWithWs(frame: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const receiver = new Receiver({ isServer: false });
    receiver.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) reject(new Error('binary'));
      else resolve(data.toString());
    });
    receiver.on('error', reject);
    receiver.write(frame);
  });
}

describe('frameText', () => {
  it.each([
    ['empty', 0],
    ['short', 5],
    ['the largest 7-bit length', 125],
    ['the smallest 16-bit length', 126], // header grows to 4 bytes
    ['the largest 16-bit length', 65535],
    ['the smallest 64-bit length', 65536], // header grows to 10 bytes
  ])('%s payload (%i bytes) parses back with ws', async (_name, size) => {
    const text = 'x'.repeat(size);
    const frame = frameText(Buffer.from(text));
    expect(frame[0]).toBe(0x81);
    expect(await parseWithWs(frame)).toBe(text);
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
