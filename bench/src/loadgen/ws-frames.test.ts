import { describe, expect, it } from 'vitest';
import {
  FrameReader,
  OPCODE_BINARY,
  OPCODE_CLOSE,
  OPCODE_PING,
  OPCODE_TEXT,
  encodeClientFrame,
  type FrameSink,
} from './ws-frames.js';

/** A server frame (unmasked), as the targets send them. */
function serverFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const len = payload.length;
  const header =
    len < 126
      ? Buffer.from([0, len])
      : len < 65_536
        ? Buffer.from([0, 126, len >> 8, len & 0xff])
        : Buffer.concat([Buffer.from([0, 127]), bigLength(len)]);
  header[0] = (fin ? 0x80 : 0) | opcode;
  return Buffer.concat([header, payload]);
}

function bigLength(len: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32BE(Math.floor(len / 2 ** 32), 0);
  b.writeUInt32BE(len >>> 0, 4);
  return b;
}

class Recorder implements FrameSink {
  messages: { opcode: number; text: string }[] = [];
  pings: string[] = [];
  closes: number[] = [];
  onMessage(opcode: number, payload: Buffer): void {
    this.messages.push({ opcode, text: payload.toString('latin1') });
  }
  onPing(payload: Buffer): void {
    this.pings.push(payload.toString());
  }
  onCloseFrame(code: number): void {
    this.closes.push(code);
  }
}

describe('encodeClientFrame', () => {
  it.each([
    [0, 2],
    [125, 2],
    [126, 4], // first 16-bit length
    [65_535, 4],
    [65_536, 10], // first 64-bit length
  ])('frames %i payload bytes behind a %i-byte header, masked with a zero key', (len, header) => {
    const payload = Buffer.alloc(len, 0x61);
    const frame = encodeClientFrame(OPCODE_TEXT, payload);
    expect(frame.length).toBe(header + 4 + len);
    expect(frame[0]).toBe(0x81);
    expect((frame[1] as number) & 0x80).toBe(0x80);
    expect(frame.readUInt32BE(header)).toBe(0);
    expect(frame.subarray(header + 4).equals(payload)).toBe(true);
  });
});

describe('FrameReader', () => {
  const sizes = [0, 5, 125, 126, 300, 65_535, 65_536, 70_000];

  it.each(sizes)('reads a %i-byte text frame split at every chunk size', (len) => {
    const text = 'x'.repeat(len);
    const wire = Buffer.concat([
      serverFrame(OPCODE_TEXT, Buffer.from(text)),
      serverFrame(OPCODE_TEXT, Buffer.from('end')),
    ]);
    for (const step of [1, 3, 7, 1000, wire.length]) {
      if (step === 1 && len > 300) continue; // byte-by-byte on big frames is slow and adds nothing
      const reader = new FrameReader();
      const sink = new Recorder();
      for (let at = 0; at < wire.length; at += step)
        reader.push(wire.subarray(at, at + step), sink);
      expect(sink.messages.map((m) => m.text.length)).toEqual([len, 3]);
      expect(sink.messages[0]?.text).toBe(text);
    }
  });

  it('joins fragments, with a ping between them, into one message of the first opcode', () => {
    const reader = new FrameReader();
    const sink = new Recorder();
    reader.push(
      Buffer.concat([
        serverFrame(OPCODE_BINARY, Buffer.from('ab'), false),
        serverFrame(OPCODE_PING, Buffer.from('p')),
        serverFrame(0, Buffer.from('cd'), false),
        serverFrame(0, Buffer.from('ef'), true),
      ]),
      sink,
    );
    expect(sink.messages).toEqual([{ opcode: OPCODE_BINARY, text: 'abcdef' }]);
    expect(sink.pings).toEqual(['p']);
  });

  it.each([
    [Buffer.from([0x0f, 0xa1]), 4001],
    [Buffer.alloc(0), 1005], // no status code in the frame
  ])('reports close frames with their code', (payload, code) => {
    const sink = new Recorder();
    new FrameReader().push(serverFrame(OPCODE_CLOSE, payload), sink);
    expect(sink.closes).toEqual([code]);
  });

  it('unmasks a masked frame although servers should not send one', () => {
    const key = [1, 2, 3, 4];
    const plain = Buffer.from('hello');
    const masked = Buffer.from(plain.map((b, i) => b ^ (key[i % 4] as number)));
    const sink = new Recorder();
    new FrameReader().push(Buffer.concat([Buffer.from([0x81, 0x80 | 5, ...key]), masked]), sink);
    expect(sink.messages).toEqual([{ opcode: OPCODE_TEXT, text: 'hello' }]);
  });
});
