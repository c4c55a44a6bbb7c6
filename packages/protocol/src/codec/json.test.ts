import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonValue, ServerMessage } from '../messages.js';
import type { DecodedItem } from './codec.js';
import { jsonCodec, splitJsonLines } from './json.js';

const ok = (value: unknown): DecodedItem => ({ ok: true, value });
const bad: DecodedItem = { ok: false, reason: 'malformed JSON' };
const ping = '{"type":"ping"}';
const pong = '{"type":"pong"}';

describe('jsonCodec', () => {
  it('is the text codec of PROTOCOL.md §3', () => {
    expect(jsonCodec.name).toBe('hubcast.v1.json');
    expect(jsonCodec.binary).toBe(false);
  });
});

describe('jsonCodec.decode', () => {
  it.each<[label: string, frame: string, expected: DecodedItem[]]>([
    ['one message', ping, [ok({ type: 'ping' })]],
    ['two messages', `${ping}\n${pong}`, [ok({ type: 'ping' }), ok({ type: 'pong' })]],
    ['a trailing newline', `${ping}\n`, [ok({ type: 'ping' })]],
    ['a leading newline', `\n${ping}`, [ok({ type: 'ping' })]],
    ['empty lines between', `${ping}\n\n\n${pong}\n`, [ok({ type: 'ping' }), ok({ type: 'pong' })]],
    [
      'whitespace-only lines',
      `${ping}\n  \t \n${pong}`,
      [ok({ type: 'ping' }), ok({ type: 'pong' })],
    ],
    ['an empty frame', '', []],
    ['a lone newline', '\n', []],
    ['only newlines', '\n\n\n', []],
    // one bad line fails alone, in place; its neighbours survive
    [
      'a malformed middle line',
      `${ping}\n{bad\n${pong}`,
      [ok({ type: 'ping' }), bad, ok({ type: 'pong' })],
    ],
    ['a malformed first line', `nope\n${pong}`, [bad, ok({ type: 'pong' })]],
    ['a malformed last line', `${ping}\n{"type":`, [ok({ type: 'ping' }), bad]],
    ['two objects on one line', `${ping}${pong}`, [bad]], // only '\n' separates messages
    ['a message split across lines', '{"type":\n"ping"}', [bad, bad]],
    // the codec only parses; validate.ts judges the shape
    ['non-object JSON values', '42\nnull\n"s"\n[1]', [ok(42), ok(null), ok('s'), ok([1])]],
    ['an escaped newline inside a string', '{"params":"a\\nb"}', [ok({ params: 'a\nb' })]],
    ['surrounding spaces', `  ${ping}  `, [ok({ type: 'ping' })]],
  ])('%s', (_label, frame, expected) => {
    expect(jsonCodec.decode(frame)).toEqual(expected);
  });

  it('is splitJsonLines', () => {
    const frame = `${ping}\nbad\n\n${pong}\n`;
    expect(jsonCodec.decode(frame)).toEqual(splitJsonLines(frame));
  });

  it('does not echo the bad line in the reason', () => {
    const [item] = jsonCodec.decode('{"token":"SECRET');
    expect(item).toEqual(bad);
  });

  // V8's JSON.parse is iterative: depth is not the codec's to judge (validate and the server
  // bound `data`), and a parser that did throw RangeError would still give an error item.
  it('parses a line nested 200,000 levels deep without throwing', () => {
    const levels = 200_000;
    const [item] = jsonCodec.decode('['.repeat(levels) + ']'.repeat(levels));
    expect(item?.ok).toBe(true);
  });
});

const event = (data: JsonValue): ServerMessage => ({
  type: 'event',
  channel: 'workflow.wf-1.step',
  event_id: 'e1',
  cursor: 'c1',
  ts: '2024-01-02T03:04:05.678Z',
  data,
});

/** One of each server message shape, with strings that would trip a naive splitter. */
const serverMessages: ServerMessage[] = [
  {
    type: 'connected',
    id: 1,
    session: 's',
    user: 'bob',
    org: 'acme',
    expires_at: 1_700_000_000,
    ping_interval: 25,
    cursor: 'c0',
    subscriptions: ['a.>'],
    rejected: [{ channel: 'user.alice', code: 'forbidden' }],
    resumed: false,
  },
  { type: 'subscribed', id: 2, channel: 'a.*', cursor: 'c1', resumed: true },
  { type: 'unsubscribed', channel: 'a.*', reason: 'forbidden' },
  { type: 'published', id: 3, event_id: 'e1', cursor: 'c2', duplicate: false },
  { type: 'refreshed', id: 4, expires_at: 1_700_003_600 },
  {
    type: 'presence',
    id: 5,
    channel: 'room.1',
    members: [{ user: 'bob', info: { name: 'Bob' }, connections: 2, devices: ['phone'] }],
  },
  { type: 'history', id: 6, events: [{ ...event(null), from: 'bob' }].map(stripType), more: true },
  { type: 'result', id: 7, result: [1, 'two', { three: null }] },
  { type: 'pong', id: 8 },
  { type: 'error', id: 9, code: 'bad_request', message: "'channel' is required", index: 0 },
  event({ text: 'line one\nline two\r\n', sep: '\u2028\u2029', emoji: '🚀' }),
  event(null),
  { type: 'join', channel: 'room.1', user: 'bob', info: { name: 'Bob' } },
  { type: 'leave', channel: 'room.1', user: 'bob' },
  { type: 'reconnect', delay_ms: 5000, reason: 'shutdown' },
  { type: 'ping' },
];

function stripType(
  e: ServerMessage,
): Extract<ServerMessage, { type: 'history' }>['events'][number] {
  if (e.type !== 'event' || e.ephemeral === true) throw new Error('not a logged event');
  const { type: _type, ...wire } = e;
  return wire;
}

describe('jsonCodec.encode / encodeBatch', () => {
  it('encodes one message as one JSON line', () => {
    const frame = jsonCodec.encode({ type: 'ping' });
    expect(frame).toBe(ping);
  });

  it.each(serverMessages.map((m) => [m.type, m] as const))(
    'encode round-trips a %s message on one line',
    (_type, message) => {
      const frame = jsonCodec.encode(message);
      expect(typeof frame).toBe('string');
      expect(frame).not.toContain('\n');
      expect(jsonCodec.decode(frame as string)).toEqual([ok(message)]);
    },
  );

  it('encodeBatch round-trips every message shape through decode, in order', () => {
    const frame = jsonCodec.encodeBatch(serverMessages);
    expect(typeof frame).toBe('string');
    expect(jsonCodec.decode(frame as string)).toEqual(serverMessages.map(ok));
  });

  it('encodeBatch joins the lines with a bare \\n and adds no trailing newline', () => {
    expect(jsonCodec.encodeBatch([{ type: 'ping' }, { type: 'pong', id: 1 }])).toBe(
      `${ping}\n{"type":"pong","id":1}`,
    );
  });

  it('encodeBatch of nothing decodes to nothing', () => {
    expect(jsonCodec.decode(jsonCodec.encodeBatch([]) as string)).toEqual([]);
  });

  it('encodeBatch round-trips arbitrary event data', () => {
    // JSON has no -0: normalise through JSON first, as any JSON peer would.
    const dataArb = fc
      .jsonValue({ maxDepth: 3 })
      .map((v) => JSON.parse(JSON.stringify(v)) as JsonValue);
    fc.assert(
      fc.property(fc.array(dataArb, { minLength: 0, maxLength: 5 }), (datas) => {
        const messages = datas.map(event);
        const frame = jsonCodec.encodeBatch(messages);
        expect(jsonCodec.decode(frame as string)).toEqual(messages.map(ok));
      }),
      { numRuns: 300 },
    );
  });
});
