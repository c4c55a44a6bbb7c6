import type { EventPush, JsonValue } from '@hubcast/protocol';
import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../log/log.js';
import { encodeEventFrame, toWireEvent } from './event-frame.js';

function logEvent(data: JsonValue, extra: Partial<LogEvent> = {}): LogEvent {
  return {
    org: 'acme',
    seq: 42,
    eventId: 'ev-42',
    channel: 'workflow.wf-123.step',
    dataJson: JSON.stringify(data),
    tsMs: 1_700_000_000_123,
    cursor: 'c0ffee-16',
    ...extra,
  };
}

function pushOf(data: JsonValue, from?: string): EventPush {
  return {
    type: 'event',
    channel: 'workflow.wf-123.step',
    event_id: 'ev-42',
    cursor: 'c0ffee-16',
    ts: '2023-11-14T22:13:20.123Z',
    data,
    ...(from === undefined ? {} : { from }),
  };
}

const DATA: [label: string, data: JsonValue][] = [
  ['null', null],
  ['a string', 'hello'],
  ['a string that needs escaping', 'q"uo\\te\n✓ 💥 \u2028 </script>'],
  ['a number', -12.5],
  ['a boolean', false],
  ['an empty object', {}],
  ['an array', [1, 'two', null, [3]]],
  [
    'a nested object',
    { step: { id: 's1', state: 'done', tags: ['a', 'b'] }, attempts: 2, ok: true },
  ],
];

describe('encodeEventFrame', () => {
  it.each(DATA)('parses back to the event push, without from: %s', (_label, data) => {
    const parsed: unknown = JSON.parse(encodeEventFrame(logEvent(data)).toString());
    expect(parsed).toStrictEqual(pushOf(data));
  });

  it.each(DATA)('parses back to the event push, with from: %s', (_label, data) => {
    const parsed: unknown = JSON.parse(
      encodeEventFrame(logEvent(data, { from: 'alice' })).toString(),
    );
    expect(parsed).toStrictEqual(pushOf(data, 'alice'));
  });

  it('splices dataJson in as stored, whitespace and key order included', () => {
    const frame = encodeEventFrame(
      logEvent(null, { dataJson: '{ "b": 1,  "a": [ 2 ] }' }),
    ).toString();
    expect(frame).toContain('"data":{ "b": 1,  "a": [ 2 ] }');
    expect(JSON.parse(frame)).toStrictEqual(pushOf({ b: 1, a: [2] }));
  });

  it('escapes a from that needs it', () => {
    const parsed: unknown = JSON.parse(
      encodeEventFrame(logEvent(1, { from: 'a"l\\ice' })).toString(),
    );
    expect(parsed).toStrictEqual(pushOf(1, 'a"l\\ice'));
  });

  it('writes ts as RFC 3339 UTC with milliseconds', () => {
    const parsed = JSON.parse(encodeEventFrame(logEvent(null, { tsMs: 0 })).toString()) as {
      ts: unknown;
    };
    expect(parsed.ts).toBe('1970-01-01T00:00:00.000Z');
  });
});

describe('toWireEvent', () => {
  it.each(DATA)('equals the pushed event minus its type: %s', (_label, data) => {
    for (const from of [undefined, 'alice']) {
      const event = logEvent(data, from === undefined ? {} : { from });
      const { type: _type, ...wire } = JSON.parse(encodeEventFrame(event).toString()) as EventPush;
      expect(toWireEvent(event)).toStrictEqual(wire);
    }
  });
});
