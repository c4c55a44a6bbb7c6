/**
 * Conformance: heartbeat, frame size, rate limit, bad input, batching and ids (PROTOCOL.md §3,
 * §4), slow consumers (§2.5) and the origin allow-list, with a raw `ws` client.
 */
import { describe, expect, it } from 'vitest';
import { errorReply, errorWithoutId, type ClosedWith } from '../helpers/conformance-fixtures.js';
import {
  anyString,
  connectClient,
  httpRequest,
  upgradeStatus,
  useTestNodes,
  type TestClient,
} from '../helpers/ws-client.js';

const start = useTestNodes();
const alice = { sub: 'alice', org: 'acme' } as const;

/** Every message up to the close (server pings aside), and the close. */
async function untilClosed(c: TestClient, timeoutMs = 3000): Promise<ClosedWith> {
  const { code } = await c.waitClosed(timeoutMs);
  return { messages: c.pending().filter((m) => m.type !== 'ping'), code };
}

/** A `ping` command padded with trailing spaces (valid JSON) to exactly `bytes` bytes. */
function paddedPing(id: number, bytes: number): string {
  const json = JSON.stringify({ type: 'ping', id });
  return json + ' '.repeat(bytes - Buffer.byteLength(json));
}

describe('heartbeat (§3)', () => {
  it('sends {"type":"ping"} every ping_interval and keeps a connection that answers', async () => {
    const node = await start({ pingInterval: 0.3, pongTimeout: 0.3 });
    const c = await connectClient(node, alice, { open: { autoPong: false } });
    expect(c.connected.ping_interval).toBe(0.3);
    for (let i = 0; i < 3; i++) {
      expect(await c.next('ping', 2000)).toEqual({ type: 'ping' });
      c.send({ type: 'pong' });
    }
    expect(c.closeInfo).toBeUndefined();
    expect(await c.quiet()).toEqual([]);
  });

  it('closes with 4002 when no pong comes within the pong timeout', async () => {
    const node = await start({ pingInterval: 0.3, pongTimeout: 0.3 });
    const c = await connectClient(node, alice, { open: { autoPong: false } });
    await c.next('ping', 2000);
    const closed = await c.waitClosed(3000);
    expect(closed.code).toBe(4002);
  });

  it('answers a client ping with pong carrying the same id, and without id when it had none', async () => {
    const node = await start();
    const c = await connectClient(node, alice);
    expect(await c.request({ type: 'ping', id: 42 })).toEqual({ type: 'pong', id: 42 });
    c.send({ type: 'ping' });
    expect(await c.next('pong')).toEqual({ type: 'pong' });
  });
});

describe('max message bytes (§3)', () => {
  it('accepts a frame of exactly max-message-bytes and closes with 4503 on one byte more', async () => {
    const node = await start({ maxMessageBytes: 1024 });
    const c = await connectClient(node, alice);
    c.sendRaw(paddedPing(1, 1024));
    expect(await c.next('pong')).toEqual({ type: 'pong', id: 1 });
    c.sendRaw(paddedPing(2, 1025));
    const { messages, code } = await untilClosed(c);
    expect(code).toBe(4503);
    expect(messages.filter((m) => m.type !== 'error')).toEqual([]);
  });

  it('counts bytes, not characters', async () => {
    const node = await start({ maxMessageBytes: 1024 });
    const c = await connectClient(node, { ...alice, publish: ['>'] });
    const head = JSON.stringify({ type: 'publish', id: 1, channel: 'a.b', data: '' });
    const chars = 1024 - head.length; // 2-byte characters: within max in characters, twice over in bytes
    const frame = JSON.stringify({
      type: 'publish',
      id: 1,
      channel: 'a.b',
      data: 'é'.repeat(chars),
    });
    expect(frame.length).toBeLessThanOrEqual(1024);
    c.sendRaw(frame);
    expect((await c.waitClosed()).code).toBe(4503);
  });
});

describe('rate limit (§3)', () => {
  it('answers rate_limited past the budget and closes with 4003 after twice the burst refused in a row; pong is free', async () => {
    const burst = 3;
    const node = await start({ rateLimit: 1, rateBurst: burst });
    const c = await connectClient(node, alice);
    const batch: object[] = [];
    for (let id = 1; id <= 20; id++) batch.push({ type: 'pong' }, { type: 'ping', id });
    c.sendBatch(batch);
    const { messages, code } = await untilClosed(c);
    // the bucket starts full; §3 leaves open whether `connect` itself was charged
    const answered = Math.max(
      burst - 1,
      Math.min(burst, messages.filter((m) => m.type === 'pong').length),
    );
    const expected: unknown[] = [];
    for (let id = 1; id <= answered; id++) expected.push({ type: 'pong', id });
    for (let id = answered + 1; id <= answered + 2 * burst; id++)
      expected.push(errorReply(id, 'rate_limited'));
    expect({ messages, code }).toEqual({ messages: expected, code: 4003 });
  });
});

describe('bad input (§4)', () => {
  it.each([
    ['malformed JSON', '{"type":"ping", nope'],
    // well-formed JSON, but in a binary frame, which the JSON codec does not read
    ['a binary frame on the JSON codec', Buffer.from(JSON.stringify({ type: 'ping', id: 1 }))],
  ])('answers %s with bad_request and keeps the connection working', async (_name, frame) => {
    const node = await start();
    const c = await connectClient(node, alice);
    c.sendRaw(frame);
    expect(await c.next('error')).toEqual(errorWithoutId('bad_request'));
    expect(await c.request({ type: 'ping', id: 2 })).toEqual({ type: 'pong', id: 2 });
  });

  it('answers an unknown type with bad_request carrying the id', async () => {
    const node = await start();
    const c = await connectClient(node, alice);
    expect(await c.request({ type: 'teleport', id: 5 })).toEqual(errorReply(5, 'bad_request'));
  });

  it.each([
    ['an array', '[1,2]'],
    ['a string', '"ping"'],
    ['a number', '42'],
    ['an object without type', '{"channel":"a"}'],
    ['a non-string type', '{"type":5}'],
  ])('answers %s with bad_request', async (_name, frame) => {
    const node = await start();
    const c = await connectClient(node, alice);
    c.sendRaw(frame);
    expect(await c.next('error')).toMatchObject({ type: 'error', code: 'bad_request' });
    expect(await c.quiet()).toEqual([]);
  });

  it('closes with 4500 after ten bad_request answers in a row', async () => {
    const node = await start();
    const c = await connectClient(node, alice);
    c.sendBatch(Array.from({ length: 10 }, (_, i) => ({ type: 'nope', id: i + 1 })));
    const { messages, code } = await untilClosed(c);
    expect(messages).toEqual(
      Array.from({ length: 10 }, (_, i) => errorReply(i + 1, 'bad_request')),
    );
    expect(code).toBe(4500);
  });

  it('resets the bad_request count on a good command', async () => {
    const node = await start();
    const c = await connectClient(node, alice);
    const bad = (from: number): object[] =>
      Array.from({ length: 9 }, (_, i) => ({ type: 'nope', id: from + i }));
    c.sendBatch([...bad(1), { type: 'ping', id: 100 }, ...bad(10)]);
    await c.reply(18);
    expect(await c.request({ type: 'ping', id: 200 })).toEqual({ type: 'pong', id: 200 });
    expect(c.closeInfo).toBeUndefined();
  });
});

describe('rpc (§4): only the unknown-method case is in scope here', () => {
  it('answers an unknown method with not_found and a missing method with bad_request', async () => {
    const node = await start();
    const c = await connectClient(node, alice);
    expect(await c.request({ type: 'rpc', id: 1, method: 'nope.nothing', params: {} })).toEqual(
      errorReply(1, 'not_found'),
    );
    expect(await c.request({ type: 'rpc', id: 2, params: {} })).toEqual(
      errorReply(2, 'bad_request'),
    );
  });
});

describe('batching and ids (§3)', () => {
  it('answers every message of a batched frame in order, ignoring empty lines and a trailing newline', async () => {
    const node = await start();
    const c = await connectClient(node, alice);
    c.sendRaw(
      [
        JSON.stringify({ type: 'ping', id: 1 }),
        '',
        JSON.stringify({ type: 'subscribe', id: 2, channel: 'news.a' }),
        '   ',
        JSON.stringify({ type: 'ping', id: 3 }),
        '',
      ].join('\n'),
    );
    const replies = [await c.next(), await c.next(), await c.next()];
    expect(replies).toEqual([
      { type: 'pong', id: 1 },
      { type: 'subscribed', id: 2, channel: 'news.a', cursor: anyString },
      { type: 'pong', id: 3 },
    ]);
    expect(await c.quiet()).toEqual([]);
  });

  it('keeps the good lines of a batch that holds a malformed one', async () => {
    const node = await start();
    const c = await connectClient(node, alice);
    c.sendRaw(
      `${JSON.stringify({ type: 'ping', id: 1 })}\n{oops\n${JSON.stringify({ type: 'ping', id: 2 })}`,
    );
    expect([await c.next(), await c.next(), await c.next()]).toEqual([
      { type: 'pong', id: 1 },
      errorWithoutId('bad_request'),
      { type: 'pong', id: 2 },
    ]);
  });

  it.each([
    ['0', 0],
    ['-1', -1],
    ['1.5', 1.5],
    ["'1'", '1'],
    ['2^53', 2 ** 53],
    ['null', null],
    ['true', true],
  ])('answers id %s with bad_request (and no id)', async (_name, id) => {
    const node = await start();
    const c = await connectClient(node, alice);
    c.send({ type: 'ping', id });
    expect(await c.next()).toEqual(errorWithoutId('bad_request'));
    expect(await c.quiet()).toEqual([]);
  });

  it('accepts ids 1 and 2^53-1', async () => {
    const node = await start();
    const c = await connectClient(node, alice);
    expect(await c.request({ type: 'ping', id: 1 })).toEqual({ type: 'pong', id: 1 });
    expect(await c.request({ type: 'ping', id: Number.MAX_SAFE_INTEGER })).toEqual({
      type: 'pong',
      id: Number.MAX_SAFE_INTEGER,
    });
  });
});

describe('slow consumer (§2.5)', () => {
  it('closes a connection whose send queue passes the limit with 4001, after a gapless prefix', async () => {
    const node = await start({
      maxQueueBytes: 256 * 1024,
      maxQueueMessages: 100,
      maxMessageBytes: 1_000_000,
      historySize: 50,
    });
    const c = await connectClient(node, alice, { subscriptions: ['bulk.>'] });
    c.pauseReading();
    const blob = 'x'.repeat(50_000);
    const published: string[] = [];
    let stillConnected = true;
    for (let batch = 0; batch < 100 && stillConnected; batch++) {
      const items = Array.from({ length: 10 }, (_, i) => ({
        org: 'acme',
        channel: 'bulk.a',
        data: { n: batch * 10 + i, blob },
      }));
      const res = await httpRequest(node, 'POST', '/api/publish', { json: items });
      expect(res.status).toBe(200);
      for (const r of res.body as { event_id: string }[]) published.push(r.event_id);
      const stats = await httpRequest(node, 'GET', '/api/stats?org=acme');
      stillConnected = (stats.body as { connections?: unknown }).connections !== 0;
    }
    c.resumeReading();
    const closed = await c.waitClosed(15_000);
    expect(closed.code).toBe(4001);
    const received = c.messages.flatMap((m) => (m.type === 'event' ? [m.event_id] : []));
    expect(received.length).toBeLessThan(published.length);
    expect(received).toEqual(published.slice(0, received.length));
  });

  it.each([
    ['on one channel', ['feed', 'feed', 'feed', 'feed', 'feed']],
    ['across channels', ['feed', 'feed', 'feed', 'feed', 'news']],
  ])(
    'closes with 4001 when one array holds more events than the queue may (%s)',
    async (_shape, channels) => {
      const node = await start({ maxQueueMessages: 3 });
      const c = await connectClient(node, alice, { subscriptions: ['feed', 'news'] });
      const res = await httpRequest(node, 'POST', '/api/publish', {
        json: channels.map((channel, i) => ({ org: 'acme', channel, data: i })),
      });
      expect(res.status).toBe(200);
      const { messages, code } = await untilClosed(c);
      expect(code).toBe(4001);
      // Whatever arrived before the close is a gapless prefix of the array.
      const data = messages.flatMap((m) => (m.type === 'event' ? [m.data] : []));
      expect(data).toEqual([0, 1, 2, 3, 4].slice(0, data.length));
    },
  );
});

describe('origin allow-list (§3 transport)', () => {
  it('refuses the upgrade from a disallowed Origin with 403 and accepts allowed or absent ones', async () => {
    const node = await start({ allowedOrigins: ['https://app.example'] });
    expect(await upgradeStatus(node.wsUrl, { origin: 'https://evil.example' })).toBe(403);
    expect(await upgradeStatus(node.wsUrl, { origin: 'https://app.example' })).toBe(101);
    expect(await upgradeStatus(node.wsUrl)).toBe(101);
  });

  it('allows only same-origin by default', async () => {
    const node = await start();
    const sameOrigin = node.httpUrl; // http://127.0.0.1:PORT, the Host the client sends
    expect(await upgradeStatus(node.wsUrl, { origin: sameOrigin })).toBe(101);
    expect(await upgradeStatus(node.wsUrl, { origin: 'https://evil.example' })).toBe(403);
    expect(await upgradeStatus(node.wsUrl)).toBe(101);
  });
});
