import { describe, expect, it } from 'vitest';
import { ADAPTERS, withoutResults } from './adapters.js';
import type { Conn } from './client-conn.js';
import { eventData, scanStamps } from './payload.js';

const STAMP = eventData(3, 1000.5);
const STAMP_DATA: unknown = JSON.parse(STAMP);
const EVENT = `{"type":"event","channel":"chat.r2","cursor":"c-1","data":{"type":"chat.message","message":{"id":"9","room":"r2","user":"u1","text":"","data":${STAMP},"version":1}}}`;
const RESULT = `{"type":"result","result":{"message":{"id":"9","room":"r2","user":"u1","text":"","data":${STAMP},"version":1},"duplicate":false}}`;

function stampsIn(text: string): number[] {
  const seqs: number[] = [];
  scanStamps(text, { onStamp: (seq) => seqs.push(seq) });
  return seqs;
}

describe('withoutResults', () => {
  it.each([
    ['an event alone', EVENT, [3]],
    ['a result alone', RESULT, []],
    ['a result before the event', `${RESULT}\n${EVENT}`, [3]],
    ['a result after the event', `${EVENT}\n${RESULT}`, [3]],
    ['results around events', `${RESULT}\n${EVENT}\n${RESULT}\n${EVENT}\n${RESULT}`, [3, 3]],
  ])('%s: the stamps of the events only', (_name, frame, seqs) => {
    expect(stampsIn(withoutResults(frame))).toEqual(seqs);
  });

  it('returns a frame without results as it is', () => {
    const frame = `${EVENT}\n${EVENT}`;
    expect(withoutResults(frame)).toBe(frame);
  });
});

describe('the hubcast adapter publishes', () => {
  const sent: string[] = [];
  // The adapter only writes through sendText: record what it writes.
  const conn = { sendText: (text: string) => sent.push(text) } as unknown as Conn;

  it('a publish command to a raw room channel', () => {
    sent.length = 0;
    ADAPTERS.hubcast.publish(conn, 'room.r4', STAMP);
    expect(JSON.parse(sent[0] ?? '')).toEqual({
      type: 'publish',
      channel: 'room.r4',
      data: STAMP_DATA,
    });
  });

  it('a chat.send rpc to a chat room, empty text and the stamp as data', () => {
    sent.length = 0;
    ADAPTERS.hubcast.publish(conn, 'chat.r4', STAMP);
    expect(JSON.parse(sent[0] ?? '')).toEqual({
      type: 'rpc',
      method: 'chat.send',
      params: { room: 'r4', text: '', data: STAMP_DATA },
    });
  });
});
