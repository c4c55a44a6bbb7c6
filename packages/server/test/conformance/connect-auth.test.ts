/**
 * Conformance: the handshake (PROTOCOL.md §3 "token first", §4 `connected`, §6 tokens, §1
 * tenants and personal channels), driven with a raw `ws` client.
 */
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../helpers/test-node.js';
import {
  connectedReply,
  connectUntilClosed,
  eventPush,
  refusedConnect,
} from '../helpers/conformance-fixtures.js';
import {
  anyString,
  connectClient,
  jwtPayload,
  openClient,
  publishHttp,
  useTestNodes,
  type TestClient,
} from '../helpers/ws-client.js';

const start = useTestNodes();
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

async function signRaw(
  payload: Record<string, unknown>,
  alg = 'HS256',
  secret = TEST_SECRET,
): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg, typ: 'JWT' })
    .sign(new TextEncoder().encode(secret));
}

function unsignedToken(payload: Record<string, unknown>): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
}

/** The close code, and every message before it but `error`s: after a protocol violation, none. */
async function violationClose(c: TestClient): Promise<{ code: number; nonErrors: unknown[] }> {
  const { code } = await c.waitClosed();
  return { code, nonErrors: c.messages.filter((m) => m.type !== 'error') };
}

describe('connect: the token is the first message (§3)', () => {
  it('answers a valid connect with `connected` carrying every field of §4', async () => {
    const node = await start();
    const token = await node.token({ sub: 'alice', org: 'acme' });
    const c = await openClient(node.wsUrl);
    c.send({ type: 'connect', id: 1, token });
    const connected = await c.next('connected');
    expect(connected).toEqual(
      connectedReply({ expires_at: jwtPayload(token)['exp'], ping_interval: 25 }),
    );
    expect(connected.session.length).toBeGreaterThan(0);
    expect(connected.cursor.length).toBeGreaterThan(0);
    expect(JSON.stringify(c.messages)).not.toContain(token);
    expect(await c.quiet()).toEqual([]);
  });

  it('gives every connection its own session', async () => {
    const node = await start();
    const a = await connectClient(node, { sub: 'alice', org: 'acme' });
    const b = await connectClient(node, { sub: 'alice', org: 'acme' });
    expect(a.connected.session).not.toBe(b.connected.session);
  });

  it('answers without `id` when connect had none, and subscriptions given in connect go live', async () => {
    const node = await start();
    const token = await node.token({ sub: 'alice', org: 'acme' });
    const c = await openClient(node.wsUrl);
    c.send({ type: 'connect', token, subscriptions: ['news.>'] });
    const connected = await c.next('connected');
    expect('id' in connected).toBe(false);
    expect(connected.subscriptions).toEqual(['news.>']);
    expect(connected.rejected).toEqual([]);
    const pub = await publishHttp(node, 'acme', 'news.a', { n: 1 });
    expect(await c.next('event')).toEqual(eventPush('news.a', { n: 1 }, pub));
  });

  it('closes with 4500 when no connect arrives within the auth timeout', async () => {
    const node = await start({ authTimeout: 0.3 });
    const c = await openClient(node.wsUrl);
    const t0 = Date.now();
    expect(await violationClose(c)).toEqual({ code: 4500, nonErrors: [] });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
  });

  it.each<[string, (token: string) => string | Buffer]>([
    ['not connect', () => JSON.stringify({ type: 'subscribe', id: 1, channel: 'news.a' })],
    ['a ping', () => JSON.stringify({ type: 'ping', id: 1 })],
    ['malformed JSON', () => '{"type":"connect",'],
    // a binary frame is refused before connect whatever it holds, here a valid connect
    [
      'a binary frame holding a valid connect',
      (token) => Buffer.from(JSON.stringify({ type: 'connect', token })),
    ],
  ])('closes with 4500 when the first message is %s', async (_name, frame) => {
    const node = await start();
    const token = await node.token({ sub: 'alice', org: 'acme' });
    const c = await openClient(node.wsUrl);
    c.sendRaw(frame(token));
    expect(await violationClose(c)).toEqual({ code: 4500, nonErrors: [] });
  });

  it('closes with 4503 when the first frame is longer than max-message-bytes', async () => {
    const node = await start({ maxMessageBytes: 1024 });
    const token = await node.token({ sub: 'alice', org: 'acme' });
    const c = await openClient(node.wsUrl);
    const json = JSON.stringify({ type: 'connect', id: 1, token });
    c.sendRaw(json + ' '.repeat(1025 - Buffer.byteLength(json)));
    expect(await violationClose(c)).toEqual({ code: 4503, nonErrors: [] });
  });

  it('never takes the token from the URL', async () => {
    const node = await start();
    const token = await node.token({ sub: 'alice', org: 'acme' });
    let c: TestClient;
    try {
      c = await openClient(`${node.wsUrl}?token=${encodeURIComponent(token)}`);
    } catch {
      return; // refusing the upgrade outright also keeps the token out of the URL
    }
    c.send({ type: 'subscribe', id: 1, channel: 'news.a' });
    expect(await violationClose(c)).toEqual({ code: 4500, nonErrors: [] });
  });

  it('speaks JSON when asked for hubcast.v1.json and when no subprotocol is asked', async () => {
    const node = await start();
    const asked = await connectClient(
      node,
      { sub: 'alice', org: 'acme' },
      { open: { protocols: ['hubcast.v1.json'] } },
    );
    expect(asked.ws.protocol).toBe('hubcast.v1.json');
    const plain = await connectClient(node, { sub: 'alice', org: 'acme' });
    expect(plain.ws.protocol).toBe('');
    expect(await plain.request({ type: 'ping', id: 5 })).toEqual({ type: 'pong', id: 5 });
  });
});

describe('connect: refused tokens get `unauthorized`, then 4501 (§3, §6)', () => {
  const cases: [string, () => Promise<string>][] = [
    ['a garbage token', () => Promise.resolve('not-a-jwt')],
    ['an expired token', () => signRaw({ sub: 'alice', org: 'acme', exp: nowSeconds() - 60 })],
    [
      'a token signed with another secret',
      () =>
        signRaw(
          { sub: 'alice', org: 'acme', exp: nowSeconds() + 600 },
          'HS256',
          'another-secret-0123456789-abcdefghijkl',
        ),
    ],
    [
      'an alg:none token',
      () => Promise.resolve(unsignedToken({ sub: 'alice', org: 'acme', exp: nowSeconds() + 600 })),
    ],
    ['a token without sub', () => signRaw({ org: 'acme', exp: nowSeconds() + 600 })],
    ['a token without org', () => signRaw({ sub: 'alice', exp: nowSeconds() + 600 })],
    ['a token without exp', () => signRaw({ sub: 'alice', org: 'acme' })],
    [
      'a token whose org breaks the segment rule',
      () => signRaw({ sub: 'alice', org: 'ac.me', exp: nowSeconds() + 600 }),
    ],
    [
      'a token with a tampered payload',
      async () => {
        const t = await signRaw({ sub: 'alice', org: 'acme', exp: nowSeconds() + 600 });
        const [h, , s] = t.split('.');
        const p = Buffer.from(
          JSON.stringify({ sub: 'root', org: 'acme', exp: nowSeconds() + 600 }),
        ).toString('base64url');
        return `${h}.${p}.${s}`;
      },
    ],
  ];

  it.each(cases)('refuses %s', async (_name, makeToken) => {
    const node = await start();
    const token = await makeToken();
    const closed = await connectUntilClosed(node, { token });
    expect(closed).toEqual(refusedConnect('unauthorized', 4501));
    expect(JSON.stringify(closed.messages)).not.toContain(token);
  });

  it('refuses a connect without a token (a missing token is unauthorized)', async () => {
    const node = await start();
    expect(await connectUntilClosed(node, {})).toEqual(refusedConnect('unauthorized', 4501));
  });

  it.each(['HS384', 'HS512'])('accepts a %s token signed with the secret', async (alg) => {
    const node = await start();
    const token = await signRaw({ sub: 'alice', org: 'acme', exp: nowSeconds() + 600 }, alg);
    const c = await openClient(node.wsUrl);
    c.send({ type: 'connect', id: 1, token });
    expect(await c.next('connected')).toMatchObject({ id: 1, user: 'alice', org: 'acme' });
  });
});

describe('connect: aud and iss are checked when configured (§6)', () => {
  const config = { jwtAudience: 'hubcast-test', jwtIssuer: 'https://issuer.test' };
  const good = { aud: 'hubcast-test', iss: 'https://issuer.test' };

  it('accepts a token with the configured aud and iss', async () => {
    const node = await start(config);
    const c = await connectClient(node, { sub: 'alice', org: 'acme', extra: good });
    expect(c.connected.user).toBe('alice');
  });

  it.each([
    ['a wrong aud', { ...good, aud: 'someone-else' }],
    ['no aud', { iss: good.iss }],
    ['a wrong iss', { ...good, iss: 'https://evil.test' }],
    ['no iss', { aud: good.aud }],
  ])('refuses %s with unauthorized and 4501', async (_name, extra) => {
    const node = await start(config);
    const token = await node.token({ sub: 'alice', org: 'acme', extra });
    expect(await connectUntilClosed(node, { token })).toEqual(refusedConnect('unauthorized', 4501));
  });
});

describe('connect: connection limit per user (§3)', () => {
  it('refuses the connection past the limit with limit_exceeded, then 4003', async () => {
    const node = await start({ maxConnectionsPerUser: 2 });
    await connectClient(node, { sub: 'alice', org: 'acme' });
    await connectClient(node, { sub: 'alice', org: 'acme' });
    const token = await node.token({ sub: 'alice', org: 'acme' });
    expect(await connectUntilClosed(node, { token })).toEqual(
      refusedConnect('limit_exceeded', 4003),
    );
    // other users, and the same id in another tenant, are not affected
    await connectClient(node, { sub: 'bob', org: 'acme' });
    await connectClient(node, { sub: 'alice', org: 'globex' });
  });

  it('lets the user connect again once a connection closed', async () => {
    const node = await start({ maxConnectionsPerUser: 1 });
    const first = await connectClient(node, { sub: 'alice', org: 'acme' });
    first.close();
    await first.waitClosed();
    // the server may notice the close a moment later: retry until accepted or a clear refusal pattern
    const again = await connectClient(node, { sub: 'alice', org: 'acme' }).catch(async () =>
      connectClient(node, { sub: 'alice', org: 'acme' }),
    );
    expect(again.connected.user).toBe('alice');
  });
});

describe('connect: subscriptions and `rejected` (§4)', () => {
  it('takes patterns in order and rejects each with bad_request, forbidden or limit_exceeded', async () => {
    const node = await start({ maxSubscriptions: 2 });
    const c = await connectClient(
      node,
      { sub: 'alice', org: 'acme', subscribe: ['news.>'] },
      { subscriptions: ['news.a', 'bad..name', 'sports.a', 'news.*.>.x', 'news.b', 'news.c'] },
    );
    const { subscriptions, rejected } = c.connected;
    expect({ subscriptions, rejected }).toEqual({
      subscriptions: ['news.a', 'news.b'],
      rejected: [
        { channel: 'bad..name', code: 'bad_request' },
        { channel: 'sports.a', code: 'forbidden' },
        { channel: 'news.*.>.x', code: 'bad_request' },
        { channel: 'news.c', code: 'limit_exceeded' },
      ],
    });
  });

  it('rejects bad names with bad_request even when a `>` grant would cover them', async () => {
    const node = await start();
    const c = await connectClient(
      node,
      { sub: 'alice', org: 'acme' },
      { subscriptions: ['a..b', 'a.>.b', 'a b', '', `x.${'y'.repeat(65)}`, 'ok.x'] },
    );
    const { subscriptions, rejected } = c.connected;
    expect({ subscriptions, rejected }).toEqual({
      subscriptions: ['ok.x'],
      rejected: ['a..b', 'a.>.b', 'a b', '', `x.${'y'.repeat(65)}`].map((channel) => ({
        channel,
        code: 'bad_request',
      })),
    });
  });

  it("refuses other users' personal patterns and allows the caller's own and broader ones", async () => {
    const node = await start();
    const c = await connectClient(
      node,
      { sub: 'alice', org: 'acme' },
      {
        subscriptions: [
          'user.bob',
          'user.alice',
          'user.*',
          'user.alice.>',
          'user.>',
          'user.bob.>',
          '>',
          '*.x',
        ],
      },
    );
    const { subscriptions, rejected } = c.connected;
    expect({ subscriptions, rejected }).toEqual({
      subscriptions: ['user.alice', 'user.alice.>', '>', '*.x'],
      rejected: [
        { channel: 'user.bob', code: 'forbidden' },
        { channel: 'user.*', code: 'forbidden' },
        { channel: 'user.>', code: 'forbidden' },
        { channel: 'user.bob.>', code: 'forbidden' },
      ],
    });
  });
});

describe('tenants: an `org` in a client message is ignored (§1)', () => {
  it('connects to the token tenant whatever `org` connect carries', async () => {
    const node = await start();
    const c = await connectClient(
      node,
      { sub: 'alice', org: 'acme' },
      { subscriptions: ['news.>'] },
    );
    expect(c.connected.org).toBe('acme');
    const token = await node.token({ sub: 'alice', org: 'acme' });
    const d = await openClient(node.wsUrl);
    d.send({ type: 'connect', id: 1, token, org: 'globex' });
    expect(await d.next('connected')).toMatchObject({ id: 1, org: 'acme', user: 'alice' });
  });

  it('keeps subscribe, publish and history with `org` inside the token tenant', async () => {
    const node = await start();
    const alice = await connectClient(node, { sub: 'alice', org: 'acme', publish: ['>'] });
    const eve = await connectClient(
      node,
      { sub: 'eve', org: 'globex' },
      { subscriptions: ['news.>'] },
    );
    expect(
      await alice.request({ type: 'subscribe', id: 1, channel: 'news.>', org: 'globex' }),
    ).toEqual({
      type: 'subscribed',
      id: 1,
      channel: 'news.>',
      cursor: anyString,
    });
    const published = await alice.request({
      type: 'publish',
      id: 2,
      channel: 'news.a',
      data: 'x',
      org: 'globex',
    });
    expect(published).toMatchObject({ type: 'published', id: 2, duplicate: false });
    expect(await alice.next('event')).toMatchObject({
      channel: 'news.a',
      data: 'x',
      from: 'alice',
    });
    const history = await alice.request({
      type: 'history',
      id: 3,
      channel: 'news.>',
      org: 'globex',
    });
    expect(history).toMatchObject({ type: 'history', id: 3, more: false });
    expect(history.type === 'history' && history.events.map((e) => e.data)).toEqual(['x']);
    // the globex subscriber saw nothing: a globex publish is its next event
    await publishHttp(node, 'globex', 'news.marker', 'globex-marker');
    expect(await eve.next('event')).toMatchObject({
      channel: 'news.marker',
      data: 'globex-marker',
    });
    expect(await eve.quiet()).toEqual([]);
  });
});
