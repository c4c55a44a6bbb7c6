/**
 * The `push.*` rpc methods of docs/push.md over raw WebSocket frames: register, list (never
 * the keys), unregister, vapidKey, the per-user cap, every refusal, tenant isolation, and a
 * node without VAPID keys answering `unavailable`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { TestNode } from '../helpers/test-node.js';
import { startTestNode } from '../helpers/test-node.js';
import { testSubscription } from '../helpers/push-endpoint.js';
import { rpcReply, rpcResult, startPushNode, VAPID } from '../helpers/push-fixtures.js';
import { anyString, connectClient, terminateAllClients } from '../helpers/ws-client.js';

const nodes: TestNode[] = [];
afterEach(async () => {
  terminateAllClients();
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});
async function node(overrides: Parameters<typeof startPushNode>[0] = {}): Promise<TestNode> {
  const n = await startPushNode(overrides);
  nodes.push(n);
  return n;
}

const sub = (name: string) => testSubscription(`https://push.example.com/ep/${name}`).subscription;

describe('push.* rpc', () => {
  it('registers, lists without keys, and unregisters the caller’s own devices', async () => {
    const t = await node();
    const ann = await connectClient(t, { sub: 'ann', org: 'acme' });
    const phone = sub('phone');
    expect(
      await rpcResult(ann, 'push.register', { subscription: phone, device: 'Ann’s phone' }),
    ).toEqual({ count: 1, replaced: 0 });
    // A browser's toJSON() carries expirationTime: accepted and ignored.
    const laptop = { ...sub('laptop'), expirationTime: null };
    expect(await rpcResult(ann, 'push.register', { subscription: laptop })).toEqual({
      count: 2,
      replaced: 0,
    });
    const listed = await rpcReply(ann, 'push.list');
    expect(listed).toEqual({
      type: 'result',
      id: expect.any(Number) as unknown,
      result: {
        subscriptions: [
          { endpoint: phone.endpoint, device: 'Ann’s phone', created_at: anyString },
          { endpoint: laptop.endpoint, created_at: anyString },
        ],
      },
    });
    expect(JSON.stringify(listed)).not.toContain(phone.keys.p256dh);
    expect(JSON.stringify(listed)).not.toContain(phone.keys.auth);
    expect(await rpcResult(ann, 'push.vapidKey')).toEqual({ key: VAPID.publicKey });
    // Found by any spelling of the same URL (stored as URL.href).
    const spelled = phone.endpoint.replace('push.example.com', 'PUSH.Example.com');
    expect(await rpcResult(ann, 'push.unregister', { endpoint: spelled })).toEqual({
      removed: true,
    });
    expect(await rpcResult(ann, 'push.unregister', { endpoint: phone.endpoint })).toEqual({
      removed: false,
    });
    expect(await rpcResult(ann, 'push.list')).toEqual({
      subscriptions: [{ endpoint: laptop.endpoint, created_at: anyString }],
    });
  });

  it('keeps ten subscriptions per user, replacing the oldest', async () => {
    const t = await node();
    const ann = await connectClient(t, { sub: 'ann', org: 'acme' });
    for (let i = 0; i < 10; i++)
      await rpcResult(ann, 'push.register', { subscription: sub(`d${i}`) });
    expect(await rpcResult(ann, 'push.register', { subscription: sub('d10') })).toEqual({
      count: 10,
      replaced: 1,
    });
    const { subscriptions } = (await rpcResult(ann, 'push.list')) as {
      subscriptions: { endpoint: string }[];
    };
    expect(subscriptions.map((s) => s.endpoint)).toEqual(
      Array.from({ length: 10 }, (_, i) => sub(`d${i + 1}`).endpoint),
    );
  });

  it('keeps users and tenants apart', async () => {
    const t = await node();
    const annAcme = await connectClient(t, { sub: 'ann', org: 'acme' });
    const annGlobex = await connectClient(t, { sub: 'ann', org: 'globex' });
    const bobAcme = await connectClient(t, { sub: 'bob', org: 'acme' });
    const shared = sub('shared');
    await rpcResult(annAcme, 'push.register', { subscription: shared, device: 'acme' });
    expect(await rpcResult(annGlobex, 'push.list')).toEqual({ subscriptions: [] });
    expect(await rpcResult(bobAcme, 'push.list')).toEqual({ subscriptions: [] });
    // Nobody else can remove it, even knowing the endpoint.
    for (const other of [annGlobex, bobAcme])
      expect(await rpcResult(other, 'push.unregister', { endpoint: shared.endpoint })).toEqual({
        removed: false,
      });
    expect(await rpcResult(annAcme, 'push.list')).toMatchObject({
      subscriptions: [{ endpoint: shared.endpoint, device: 'acme' }],
    });
  });

  const good = sub('good');
  const withKeys = (keys: Record<string, unknown>) => ({
    subscription: { endpoint: good.endpoint, keys: { ...good.keys, ...keys } },
  });
  const notOnCurve = Buffer.alloc(65, 1);
  notOnCurve[0] = 4;
  it.each([
    ['push.register', undefined, /'subscription' must be an object/],
    ['push.register', [], /'params' must be an object/],
    ['push.register', { subscription: good, extra: 1 }, /unknown field 'extra'/],
    [
      'push.register',
      { subscription: { ...good, endpoint: 'not a url' } },
      /endpoint' must be a URL/,
    ],
    [
      'push.register',
      { subscription: { ...good, endpoint: 'ftp://push.example.com/x' } },
      /endpoint' must be https/,
    ],
    // Insecure mode allows http:// to loopback only.
    [
      'push.register',
      { subscription: { ...good, endpoint: 'http://push.example.com/x' } },
      /endpoint' must be https/,
    ],
    [
      'push.register',
      { subscription: { ...good, endpoint: `https://x.example/${'a'.repeat(2048)}` } },
      /at most 2048/,
    ],
    [
      'push.register',
      { subscription: { endpoint: good.endpoint } },
      /'subscription.keys' must be an object/,
    ],
    ['push.register', withKeys({ p256dh: 'short' }), /p256dh' must decode to 65 bytes/],
    [
      'push.register',
      withKeys({ p256dh: notOnCurve.toString('base64url') }),
      /p256dh' must be a P-256 public key/,
    ],
    ['push.register', withKeys({ p256dh: 'a+b/c' }), /p256dh' must be a base64url string/],
    [
      'push.register',
      withKeys({ auth: Buffer.alloc(15).toString('base64url') }),
      /auth' must decode to 16 bytes/,
    ],
    ['push.register', withKeys({ auth: 16 }), /auth' must be a base64url string/],
    ['push.register', withKeys({ extra: 'x' }), /unknown field 'extra'/],
    [
      'push.register',
      { subscription: good, device: 'x'.repeat(65) },
      /'device' must be a string of 1-64/,
    ],
    ['push.register', { subscription: good, device: 'a\nb' }, /'device' must be a string/],
    ['push.register', { subscription: { ...good, expirationTime: 'soon' } }, /expirationTime/],
    ['push.unregister', {}, /'endpoint' must be a string/],
    ['push.unregister', { endpoint: 7 }, /'endpoint' must be a string/],
  ])('%s %j is a bad_request', async (method, params, message) => {
    const t = await node();
    const ann = await connectClient(t, { sub: 'ann', org: 'acme' });
    const reply = await rpcReply(ann, method, params);
    expect(reply).toMatchObject({ type: 'error', code: 'bad_request' });
    expect((reply as { message: string }).message).toMatch(message);
    // Nothing was stored, and the connection keeps working.
    expect(await rpcResult(ann, 'push.list')).toEqual({ subscriptions: [] });
  });

  it.each([
    'http://127.0.0.1:9999/push',
    'https://127.0.0.1/push',
    'https://10.1.2.3/push',
    'https://169.254.169.254/latest',
    'https://[::1]/push',
    'https://[::ffff:192.168.0.1]/push',
    'https://localhost/push',
    'https://intranet/push',
    'https://push.example.com:8443/push',
    'https://user:pw@push.example.com/push',
  ])('refuses the internal or odd endpoint %s outside insecure mode', async (endpoint) => {
    const t = await node({ pushAllowInsecure: false });
    const ann = await connectClient(t, { sub: 'ann', org: 'acme' });
    const reply = await rpcReply(ann, 'push.register', {
      subscription: { ...good, endpoint },
    });
    expect(reply).toMatchObject({ type: 'error', code: 'bad_request' });
    expect((reply as { message: string }).message).toMatch(/'subscription.endpoint'/);
  });

  it('answers unavailable on a node without VAPID keys, not_found for unknown methods', async () => {
    const t = await startTestNode();
    nodes.push(t);
    const ann = await connectClient(t, { sub: 'ann', org: 'acme' });
    for (const method of ['push.register', 'push.list', 'push.vapidKey']) {
      const reply = await rpcReply(ann, method, { subscription: good });
      expect(reply).toMatchObject({ type: 'error', code: 'unavailable' });
      expect((reply as { message: string }).message).toMatch(/VAPID/);
    }
    expect(await rpcReply(ann, 'push.nope')).toMatchObject({ type: 'error', code: 'not_found' });
  });
});
