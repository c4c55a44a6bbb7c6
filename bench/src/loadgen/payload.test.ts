import { describe, expect, it } from 'vitest';
import { PAYLOAD_BYTES, eventData, fillerData, scanStamps, type StampSink } from './payload.js';

function stamps(text: string): [number, number][] {
  const out: [number, number][] = [];
  const sink: StampSink = { onStamp: (s, t) => void out.push([s, t]) };
  scanStamps(text, sink);
  return out;
}

describe('eventData', () => {
  it.each([1, 42, 999_999_999])('is %i padded to exactly 100 bytes of valid JSON', (seq) => {
    const text = eventData(seq, 1_763_900_000_123.456);
    expect(Buffer.byteLength(text)).toBe(PAYLOAD_BYTES);
    expect(JSON.parse(text)).toMatchObject({ s: seq, t: 1_763_900_000_123.456 });
  });
});

describe('scanStamps', () => {
  const data = eventData(7, 1_763_900_000_123.5);
  it.each([
    [
      'hubcast, one event',
      `{"type":"event","channel":"w1","event_id":"e1","cursor":"c","ts":"2026-01-01T00:00:00.000Z","data":${data}}`,
      [[7, 1_763_900_000_123.5]],
    ],
    [
      'hubcast, batched with a ping',
      `{"type":"ping"}\n{"type":"event","data":${data}}\n{"type":"event","data":${eventData(8, 5.25)}}`,
      [
        [7, 1_763_900_000_123.5],
        [8, 5.25],
      ],
    ],
    ['ws', `{"channel":"w1","data":${data}}`, [[7, 1_763_900_000_123.5]]],
    ['socket.io', `42["event",${data}]`, [[7, 1_763_900_000_123.5]]],
    ['a time without decimals', '{"s":3,"t":12}', [[3, 12]]],
    ['the time key further on', '{"s":3,"x":1,"t":12.5}', [[3, 12.5]]],
    ['a seq without a time', '{"s":3}', []],
    ['the M8 filler', fillerData(200), []],
    ['a connected reply', '{"type":"connected","subscriptions":["w1"],"rejected":[]}', []],
  ])('%s', (_name, text, expected) => {
    expect(stamps(text)).toEqual(expected);
  });
});
