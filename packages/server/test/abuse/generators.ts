/**
 * Seeded generators of hostile input for the attack suite: WebSocket frames an authenticated
 * client may send (garbage, wrong shapes, deep nesting, huge ids, oversized, and valid commands
 * with odd values), and HTTP requests to every route (methods, bodies, content types, sizes,
 * keys). Each is a plain description; the suite sends them.
 */
import type { SeededRandom } from '../helpers/seeded-random.js';

export interface FrameSpec {
  kind: string;
  data: string | Buffer;
  binary: boolean;
}

const COMMAND_TYPES = [
  'connect',
  'subscribe',
  'unsubscribe',
  'publish',
  'refresh',
  'presence',
  'history',
  'rpc',
  'ping',
  'pong',
];

/** A nested JSON text `depth` levels deep, e.g. `[[[1]]]` or `{"a":{"a":1}}`. */
export function deepJson(depth: number, shape: 'array' | 'object'): string {
  return shape === 'array'
    ? `${'['.repeat(depth)}1${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

function oddValue(r: SeededRandom): unknown {
  return r.pick<() => unknown>([
    () => null,
    () => r.int(-1e9, 1e9),
    () => 1e308 * 10, // Infinity: JSON.stringify makes it null
    () => -0,
    () => r.text(r.int(0, 40)),
    () => 'x'.repeat(r.int(200, 5000)),
    () => [],
    () => ({}),
    () => [r.text(3), 1, null],
    () => ({ __proto__: { polluted: true }, constructor: { prototype: { x: 1 } } }),
    () => true,
    () => 'user.*',
    () => '>',
    () => 'user.bob.notifications',
    () => '\u0000\uffff\ud800',
  ])();
}

function oddId(r: SeededRandom): unknown {
  return r.pick([1, 2 ** 53, 2 ** 53 - 1, -1, 0, 1.5, 1e300, '1', null, [], {}, Number.NaN]);
}

function withOddId(r: SeededRandom, msg: Record<string, unknown>): Record<string, unknown> {
  if (r.bool(0.3)) msg['id'] = oddId(r);
  else if (r.bool(0.7)) msg['id'] = r.int(1, 1_000_000);
  return msg;
}

/** A valid-looking command with odd values in its fields. */
function oddCommand(r: SeededRandom): Record<string, unknown> {
  const type = r.pick(COMMAND_TYPES);
  const msg: Record<string, unknown> = { type };
  for (const field of ['channel', 'data', 'key', 'cursor', 'after', 'before', 'limit', 'token']) {
    if (r.bool(0.3)) msg[field] = oddValue(r);
  }
  if (type === 'rpc') {
    msg['method'] = r.pick([
      'notifications.list',
      'notifications.markRead',
      'notifications.markAllRead',
      'notifications.unreadCount',
      'chat.createRoom',
      'chat.send',
      'chat.history',
      'chat.search',
      'chat.markRead',
      'chat.addMembers',
      'chat.profile',
      'chat.typing',
      'presence.setInfo',
      'signal.send',
      'push.register',
      'push.unregister',
      'push.list',
      'nope.x',
      'x'.repeat(129),
      '',
    ]);
    msg['params'] = r.pick([
      () => oddValue(r),
      () => ({ ids: [oddValue(r)], limit: oddValue(r) }),
      // chat: a real room name with odd values elsewhere, or odd values everywhere
      () => ({
        room: r.bool() ? 'junk' : oddValue(r),
        text: oddValue(r),
        id: oddValue(r),
        users: r.bool() ? [oddValue(r)] : oddValue(r),
        mentions: oddValue(r),
        time_zone: oddValue(r),
        before: oddValue(r),
      }),
      // presence info, a call signal, a push subscription (an internal endpoint among them)
      () => ({ info: oddValue(r), to: r.bool() ? 'bob' : oddValue(r), data: oddValue(r) }),
      () => ({
        subscription: r.bool()
          ? {
              endpoint: r.pick(['http://127.0.0.1:1/x', 'https://169.254.169.254/', 'x']),
              keys: oddValue(r),
            }
          : oddValue(r),
        endpoint: oddValue(r),
      }),
    ])();
  }
  return withOddId(r, msg);
}

/** A well-formed command the client is allowed to send, with random but legal values. */
function legalCommand(r: SeededRandom): Record<string, unknown> {
  const channel = `junk.${r.text(r.int(1, 8), 'abc')}`;
  return withOddId(
    r,
    r.pick<() => Record<string, unknown>>([
      () => ({ type: 'ping' }),
      () => ({ type: 'subscribe', channel: r.pick(['junk.>', 'junk.*', channel, 'watch.>']) }),
      () => ({ type: 'unsubscribe', channel: r.pick(['junk.>', channel]) }),
      () => ({
        type: 'publish',
        channel,
        data: oddValue(r),
        key: r.bool() ? r.text(8) : undefined,
      }),
      () => ({ type: 'history', channel: r.pick(['junk.>', 'watch.>', '>']), limit: 5 }),
      () => ({ type: 'presence', channel }),
      () => ({ type: 'rpc', method: 'notifications.unreadCount' }),
      () => ({ type: 'rpc', method: 'chat.rooms' }),
      () => ({ type: 'publish', channel, data: oddValue(r), ephemeral: true }),
      () => ({
        type: 'publish',
        channel: `junk.c.${r.int(0, 3)}`,
        data: r.int(0, 9),
        ephemeral: true,
      }),
      () => ({ type: 'rpc', method: 'presence.setInfo', params: { info: { status: r.text(8) } } }),
      () => ({
        type: 'rpc',
        method: 'signal.send',
        params: { to: `u${r.int(0, 3)}`, data: { sdp: r.text(20) } },
      }),
      () => ({ type: 'rpc', method: 'chat.typing', params: { room: 'junk' } }),
      () => ({ type: 'subscribe', channel: r.pick(['chat.junk', 'chat.*', 'chat.>']) }),
    ])(),
  );
}

/** One frame of hostile or odd input. `maxMessageBytes` is the node's inbound limit. */
export function randomFrame(r: SeededRandom, maxMessageBytes: number): FrameSpec {
  const text = (kind: string, data: string): FrameSpec => ({ kind, data, binary: false });
  return r.pick<() => FrameSpec>([
    () => text('garbage', r.bytes(r.int(1, 200)).toString('latin1')),
    () => text('invalid utf-8', '\ud800'),
    () => text('not an object', JSON.stringify(r.pick([1, 'x', null, [], [1, 2], true]))),
    () => text('unknown type', JSON.stringify({ type: r.text(r.int(0, 50)), id: 1 })),
    () => text('odd command', JSON.stringify(oddCommand(r))),
    () => text('odd command', JSON.stringify(oddCommand(r))),
    () => text('legal command', JSON.stringify(legalCommand(r))),
    () => text('legal command', JSON.stringify(legalCommand(r))),
    () => text('legal command', JSON.stringify(legalCommand(r))),
    () =>
      text(
        'batch',
        Array.from({ length: r.int(2, 20) }, () =>
          JSON.stringify(r.bool() ? legalCommand(r) : oddCommand(r)),
        ).join('\n'),
      ),
    () => {
      // Deep nesting in a message's own structure or in a publish's data, within the limit.
      const depth = r.int(65, Math.floor((maxMessageBytes - 100) / 6));
      const nested = deepJson(depth, r.bool() ? 'array' : 'object');
      return text(
        'deep',
        r.bool()
          ? `{"type":"publish","id":7,"channel":"junk.deep","data":${nested}}`
          : `{"type":"ping","id":7,"x":${nested}}`,
      );
    },
    () =>
      text('huge id', `{"type":"ping","id":${r.pick(['1e400', '9'.repeat(400), '-0', '0x10'])}}`),
    () => ({ kind: 'binary', data: r.bytes(r.int(1, 100)), binary: true }),
    () => text('empty lines', '\n\n\n'),
  ])();
}

export interface HttpSpec {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | Buffer | undefined;
}

const ROUTES = [
  '/api/publish',
  '/api/notify',
  '/api/history',
  '/api/presence',
  '/api/disconnect',
  '/api/stats',
  '/api/chat/rooms',
  '/api/chat/members',
  '/api/chat/send',
  '/api/chat/history',
  '/api/chat/members/remove',
  '/api/webhooks/dead',
  '/api/webhooks/retry',
  '/healthz',
  '/readyz',
  '/metrics',
  '/ws',
  '/',
  '/nope',
  '/api/',
  '/api/publish/',
  '/api/../api/stats',
  '/%00',
  '/%E0%A4%A',
];

function randomQuery(r: SeededRandom): string {
  if (r.bool(0.3)) return '';
  const params = ['org', 'channel', 'after', 'before', 'limit', 'user', 'room'];
  const parts: string[] = [];
  for (let i = r.int(1, 5); i > 0; i--) {
    const value = r.pick([
      'acme',
      'watch.>',
      'user.*',
      r.text(r.int(0, 30)),
      String(r.int(-5, 5000)),
      '%zz',
      'x'.repeat(3000),
    ]);
    parts.push(`${r.pick(params)}=${value}`);
  }
  return `?${parts.join('&')}`;
}

function randomBody(r: SeededRandom, maxMessageBytes: number): string | Buffer | undefined {
  return r.pick<() => string | Buffer | undefined>([
    () => undefined,
    () => '',
    () => 'null',
    () => '[]',
    () => '{}',
    () => '{"org":"acme"',
    () => r.bytes(r.int(1, 300)),
    () => JSON.stringify({ org: oddValue(r), channel: oddValue(r), data: oddValue(r) }),
    () =>
      JSON.stringify({ org: 'acme', channel: 'junk.http', data: oddValue(r), key: oddValue(r) }),
    () => JSON.stringify([{ org: 'acme', channel: 'junk.a', data: 1 }, oddValue(r)]),
    () =>
      JSON.stringify({
        org: 'acme',
        users: r.pick([['u1'], [], oddValue(r), Array.from({ length: 50 }, (_, i) => `u${i}`)]),
        notification: r.bool() ? { kind: 'k', title: oddValue(r), data: oddValue(r) } : oddValue(r),
        key: oddValue(r),
      }),
    () => JSON.stringify({ org: 'acme', user: oddValue(r), reason: oddValue(r) }),
    () => `{"org":"acme","channel":"junk.deep","data":${deepJson(r.int(65, 9000), 'array')}}`,
    () =>
      `{"org":"acme","users":["u1"],"notification":{"kind":"k","title":"t","data":${deepJson(r.int(65, 9000), 'object')}}}`,
    () => 'x'.repeat(maxMessageBytes + r.int(1, 1000)),
  ])();
}

/** One HTTP request of any method, route, key and body. */
export function randomRequest(
  r: SeededRandom,
  keys: { admin: string; tenant: string },
  maxMessageBytes: number,
): HttpSpec {
  const headers: Record<string, string> = {};
  const auth = r.pick([
    undefined,
    `Bearer ${keys.admin}`,
    `Bearer ${keys.admin}`,
    `Bearer ${keys.tenant}`,
    'Bearer wrong-key-0123',
    `Bearer ${'k'.repeat(5000)}`,
    'Basic YTpi',
    'Bearer',
  ]);
  if (auth !== undefined) headers['authorization'] = auth;
  const contentType = r.pick([
    undefined,
    'application/json',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
  ]);
  if (contentType !== undefined) headers['content-type'] = contentType;
  const method = r.pick([
    'GET',
    'POST',
    'POST',
    'POST',
    'PUT',
    'DELETE',
    'PATCH',
    'OPTIONS',
    'HEAD',
  ]);
  const body = method === 'GET' || method === 'HEAD' ? undefined : randomBody(r, maxMessageBytes);
  return { method, path: `${r.pick(ROUTES)}${randomQuery(r)}`, headers, body };
}
