/**
 * The byte budget of a `history` page (read-page.ts `eventPageBytes`, read-history.ts
 * `HISTORY_ENVELOPE_BYTES`) must bound the JSON the reply really takes, or a page cut at half
 * the send queue could still pass it.
 */
import type { HistoryReply, JsonValue } from '@hubcast/protocol';
import { describe, expect, it } from 'vitest';
import { encodeCursor } from '../log/cursor.js';
import { eventIdOf } from '../log/event.js';
import type { LogEvent } from '../log/log.js';
import { HISTORY_ENVELOPE_BYTES } from '../log/read-history.js';
import { eventPageBytes } from '../log/read-page.js';
import { toWireEvent } from './event-frame.js';

const EPOCH = 'f'.repeat(10);
const MAX_SEQ = Number.MAX_SAFE_INTEGER;
/** The last instant a Date holds: its ISO form has a six-digit year. */
const MAX_TS_MS = 8.64e15;
const LONGEST_CHANNEL = Array.from({ length: 16 }, () => 'a'.repeat(15)).join('.');
const LONGEST_USER = '+'.repeat(64);

function event(data: JsonValue, extra: Partial<LogEvent> = {}): LogEvent {
  return {
    org: 'acme',
    seq: MAX_SEQ,
    eventId: eventIdOf(EPOCH, MAX_SEQ),
    channel: LONGEST_CHANNEL,
    dataJson: JSON.stringify(data),
    tsMs: MAX_TS_MS,
    cursor: encodeCursor(EPOCH, MAX_SEQ),
    from: LONGEST_USER,
    ...extra,
  };
}

const bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

describe('history page bytes', () => {
  it.each<[label: string, data: JsonValue, extra?: Partial<LogEvent>]>([
    ['the largest fields around null', null],
    ['text to escape and wide characters', 'q"uo\\te\n✓ 💥 \u2028 é'.repeat(50)],
    ['a nested object', { a: [1, { b: 'c' }], d: -1.5e-7 }],
    ['no from, a one-segment channel', 1, { channel: 'a', from: undefined }],
  ])('bounds an event with %s, comma included', (_label, data, extra) => {
    const e = event(data, extra);
    expect(bytes(toWireEvent(e)) + 1).toBeLessThanOrEqual(
      eventPageBytes(Buffer.byteLength(e.dataJson), e.channel),
    );
  });

  it('bounds the reply around the events, with the largest id and cursor', () => {
    const reply: HistoryReply & { id: number } = {
      type: 'history',
      events: [],
      more: false,
      cursor: encodeCursor(EPOCH, MAX_SEQ),
      id: Number.MAX_SAFE_INTEGER,
    };
    expect(bytes(reply)).toBeLessThanOrEqual(HISTORY_ENVELOPE_BYTES);
  });
});
