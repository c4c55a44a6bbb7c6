/**
 * Conformance: `subscribe` / `unsubscribe` (PROTOCOL.md §4), patterns (§1), grants (§6),
 * personal channels and tenant isolation (§1), with a raw `ws` client.
 */
import { describe, expect, it } from 'vitest';
import type { ErrorCode, EventPush, ServerMessage } from '@hubcast/protocol';
import type { TestNode } from '../helpers/test-node.js';
import {
  channelsUntil,
  errorReply,
  eventPush,
  untilEventOn,
} from '../helpers/conformance-fixtures.js';
import { anyString, connectClient, publishHttp, useTestNodes } from '../helpers/ws-client.js';

const start = useTestNodes();

async function publishAll(node: TestNode, org: string, channels: readonly string[]): Promise<void> {
  for (const channel of channels) await publishHttp(node, org, channel, { on: channel });
}

describe('subscribe (§4)', () => {
  it('answers `subscribed` {channel, cursor} without resumed, then delivers events with every field', async () => {
    const node = await start();
    const c = await connectClient(node, { sub: 'alice', org: 'acme' });
    const reply = await c.request({ type: 'subscribe', id: 7, channel: 'news.a' });
    expect(reply).toEqual({
      type: 'subscribed',
      id: 7,
      channel: 'news.a',
      cursor: anyString,
    });
    const pub = await publishHttp(node, 'acme', 'news.a', { hello: 'world' });
    expect(await c.next('event')).toEqual(eventPush('news.a', { hello: 'world' }, pub));
    expect(await c.quiet()).toEqual([]);
  });

  // Each row: alice subscribes to the patterns and `marker`; the channels are published, then
  // `marker`; she must receive exactly the delivered channels, in order, before the marker.
  it.each<[title: string, subscriptions: string[], published: string[], delivered: string[]]>([
    [
      '`*` matches exactly one segment; names are case-sensitive',
      ['workflow.*.step'],
      [
        'workflow.wf-1.step',
        'workflow.step',
        'workflow.wf-1.x.step',
        'Workflow.wf-2.step',
        'workflow.wf-2.step.x',
        'workflow.wf-3.step',
      ],
      ['workflow.wf-1.step', 'workflow.wf-3.step'],
    ],
    [
      '`>` matches one or more trailing segments but not the prefix itself',
      ['workflow.>'],
      ['workflow', 'workflow.a', 'other.a', 'workflow.a.b.c', 'workflowx.a'],
      ['workflow.a', 'workflow.a.b.c'],
    ],
    [
      'delivers an event matched by several subscriptions once',
      ['news.>', 'news.a', '*.a'],
      ['news.a'],
      ['news.a'],
    ],
  ])('%s', async (_title, subscriptions, published, delivered) => {
    const node = await start();
    const c = await connectClient(
      node,
      { sub: 'alice', org: 'acme' },
      { subscriptions: [...subscriptions, 'marker'] },
    );
    await publishAll(node, 'acme', [...published, 'marker']);
    expect(await channelsUntil(c, 'marker')).toEqual([...delivered, 'marker']);
  });

  it('subscribing twice is harmless: `subscribed` again, counted once, events once, one unsubscribe ends it', async () => {
    const node = await start({ maxSubscriptions: 3 });
    const c = await connectClient(
      node,
      { sub: 'alice', org: 'acme' },
      { subscriptions: ['marker'] },
    );
    expect(await c.request({ type: 'subscribe', id: 1, channel: 'news.a' })).toMatchObject({
      type: 'subscribed',
      id: 1,
      channel: 'news.a',
    });
    expect(await c.request({ type: 'subscribe', id: 2, channel: 'news.a' })).toEqual({
      type: 'subscribed',
      id: 2,
      channel: 'news.a',
      cursor: anyString,
    });
    // counted once: a third distinct pattern still fits in 3
    expect(await c.request({ type: 'subscribe', id: 3, channel: 'news.b' })).toMatchObject({
      type: 'subscribed',
      id: 3,
    });
    await publishAll(node, 'acme', ['news.a', 'marker']);
    expect(await channelsUntil(c, 'marker')).toEqual(['news.a', 'marker']);
    expect(await c.request({ type: 'unsubscribe', id: 4, channel: 'news.a' })).toEqual({
      type: 'unsubscribed',
      id: 4,
      channel: 'news.a',
    });
    await publishAll(node, 'acme', ['news.a', 'marker']);
    expect(await channelsUntil(c, 'marker')).toEqual(['marker']);
    expect(await c.request({ type: 'unsubscribe', id: 5, channel: 'news.a' })).toMatchObject({
      type: 'error',
      id: 5,
      code: 'not_found',
    });
  });

  it('answers `unsubscribed` {channel} to an unsubscribe and stops the events', async () => {
    const node = await start();
    const c = await connectClient(
      node,
      { sub: 'alice', org: 'acme' },
      { subscriptions: ['news.*', 'marker'] },
    );
    expect(await c.request({ type: 'unsubscribe', id: 9, channel: 'news.*' })).toEqual({
      type: 'unsubscribed',
      id: 9,
      channel: 'news.*',
    });
    await publishAll(node, 'acme', ['news.a', 'marker']);
    expect(await channelsUntil(c, 'marker')).toEqual(['marker']);
  });

  it('answers not_found when unsubscribing an unknown pattern', async () => {
    const node = await start();
    const c = await connectClient(
      node,
      { sub: 'alice', org: 'acme' },
      { subscriptions: ['news.a'] },
    );
    expect(await c.request({ type: 'unsubscribe', id: 3, channel: 'news.b' })).toEqual(
      errorReply(3, 'not_found'),
    );
    expect(await c.request({ type: 'unsubscribe', id: 4, channel: 'news.*' })).toMatchObject({
      type: 'error',
      id: 4,
      code: 'not_found',
    });
  });

  it('answers limit_exceeded past max subscriptions; unsubscribing frees a slot', async () => {
    const node = await start({ maxSubscriptions: 2 });
    const c = await connectClient(node, { sub: 'alice', org: 'acme' });
    await c.request({ type: 'subscribe', id: 1, channel: 'a.1' });
    await c.request({ type: 'subscribe', id: 2, channel: 'a.2' });
    expect(await c.request({ type: 'subscribe', id: 3, channel: 'a.3' })).toEqual(
      errorReply(3, 'limit_exceeded'),
    );
    await c.request({ type: 'unsubscribe', id: 4, channel: 'a.1' });
    expect(await c.request({ type: 'subscribe', id: 5, channel: 'a.3' })).toMatchObject({
      type: 'subscribed',
      id: 5,
      channel: 'a.3',
    });
  });

  const long64 = 'x'.repeat(64);
  it.each<[string, string, ErrorCode]>([
    ['an empty segment', 'news..a', 'bad_request'],
    ['a leading dot', '.news', 'bad_request'],
    ['`>` not last', 'news.>.a', 'bad_request'],
    ['a partial wildcard segment', 'news.a*', 'bad_request'],
    ['a bad character', 'news.a b', 'bad_request'],
    ['17 segments', Array.from({ length: 17 }, () => 'a').join('.'), 'bad_request'],
    ['a 65-character segment', `news.${'x'.repeat(65)}`, 'bad_request'],
    ['256 characters', [long64, long64, long64, 'y'.repeat(61)].join('.'), 'bad_request'],
    ['an empty name', '', 'bad_request'],
  ])('refuses a pattern with %s: %s', async (_why, channel, code) => {
    const node = await start();
    const c = await connectClient(node, { sub: 'alice', org: 'acme' });
    expect(await c.request({ type: 'subscribe', id: 1, channel })).toEqual(errorReply(1, code));
  });

  it.each([
    ['16 segments', Array.from({ length: 16 }, () => 'a').join('.')],
    ['a 64-character segment', `news.${long64}`],
    ['255 characters', [long64, long64, long64, 'y'.repeat(60)].join('.')],
    ['every allowed character', 'Az09_-:@=+.x'],
  ])('accepts a pattern at the limit: %s', async (_why, channel) => {
    expect(channel.length).toBeLessThanOrEqual(255);
    const node = await start();
    const c = await connectClient(node, { sub: 'alice', org: 'acme' });
    expect(await c.request({ type: 'subscribe', id: 1, channel })).toMatchObject({
      type: 'subscribed',
      id: 1,
      channel,
    });
  });

  it('refuses a subscribe without a channel with bad_request', async () => {
    const node = await start();
    const c = await connectClient(node, { sub: 'alice', org: 'acme' });
    expect(await c.request({ type: 'subscribe', id: 1 })).toMatchObject({
      type: 'error',
      id: 1,
      code: 'bad_request',
    });
    expect(await c.request({ type: 'subscribe', id: 2, channel: 5 })).toMatchObject({
      type: 'error',
      id: 2,
      code: 'bad_request',
    });
    expect(
      await c.request({ type: 'subscribe', id: 3, channel: 'a.b', presence: 'yes' }),
    ).toMatchObject({ type: 'error', id: 3, code: 'bad_request' });
    expect(await c.request({ type: 'subscribe', id: 4, channel: 'a.b', cursor: 5 })).toMatchObject({
      type: 'error',
      id: 4,
      code: 'bad_request',
    });
    expect(await c.quiet()).toEqual([]);
  });
});

describe('grants (§6)', () => {
  it('allows a pattern only when every channel it can match is granted', async () => {
    const node = await start();
    const c = await connectClient(node, { sub: 'alice', org: 'acme', subscribe: ['news.*'] });
    expect(await c.request({ type: 'subscribe', id: 1, channel: 'news.a' })).toMatchObject({
      type: 'subscribed',
      id: 1,
    });
    expect(await c.request({ type: 'subscribe', id: 2, channel: 'news.*' })).toMatchObject({
      type: 'subscribed',
      id: 2,
    });
    expect(await c.request({ type: 'subscribe', id: 3, channel: 'news.>' })).toEqual(
      errorReply(3, 'forbidden'),
    );
    expect(await c.request({ type: 'subscribe', id: 4, channel: 'sports.a' })).toMatchObject({
      type: 'error',
      id: 4,
      code: 'forbidden',
    });
    expect(await c.request({ type: 'subscribe', id: 5, channel: '>' })).toMatchObject({
      type: 'error',
      id: 5,
      code: 'forbidden',
    });
    expect(await c.request({ type: 'subscribe', id: 6, channel: 'news.a.b' })).toMatchObject({
      type: 'error',
      id: 6,
      code: 'forbidden',
    });
  });

  it('counts the union of grants', async () => {
    const node = await start();
    const c = await connectClient(node, { sub: 'alice', org: 'acme', subscribe: ['a.*', 'a.*.>'] });
    expect(await c.request({ type: 'subscribe', id: 1, channel: 'a.>' })).toMatchObject({
      type: 'subscribed',
      id: 1,
      channel: 'a.>',
    });
    const d = await connectClient(node, { sub: 'bob', org: 'acme', subscribe: ['a.x', 'a.y'] });
    // two literal grants do not cover the infinitely many channels of `a.*`
    expect(await d.request({ type: 'subscribe', id: 1, channel: 'a.*' })).toMatchObject({
      type: 'error',
      id: 1,
      code: 'forbidden',
    });
  });

  it('defaults to subscribe [">"]', async () => {
    const node = await start();
    const c = await connectClient(node, { sub: 'alice', org: 'acme' });
    expect(await c.request({ type: 'subscribe', id: 1, channel: '>' })).toMatchObject({
      type: 'subscribed',
      id: 1,
      channel: '>',
    });
  });
});

describe('personal channels (§1)', () => {
  it.each(['user.bob', 'user.*', 'user.>', 'user.bob.>', 'user.*.notifications'])(
    'refuses %s to alice with forbidden',
    async (channel) => {
      const node = await start();
      const c = await connectClient(node, { sub: 'alice', org: 'acme' });
      expect(await c.request({ type: 'subscribe', id: 1, channel })).toEqual(
        errorReply(1, 'forbidden'),
      );
    },
  );

  it('allows alice her own personal channels', async () => {
    const node = await start();
    const c = await connectClient(node, { sub: 'alice', org: 'acme' });
    expect(await c.request({ type: 'subscribe', id: 1, channel: 'user.alice' })).toMatchObject({
      type: 'subscribed',
      id: 1,
    });
    expect(await c.request({ type: 'subscribe', id: 2, channel: 'user.alice.>' })).toMatchObject({
      type: 'subscribed',
      id: 2,
    });
  });

  it("allows alice her own personal channels whatever her grants say (the README's token)", async () => {
    const node = await start();
    const alice = await connectClient(
      node,
      { sub: 'alice', org: 'acme', subscribe: ['chat.>'] },
      { subscriptions: ['user.alice.notifications', 'user.bob', 'news.a'] },
    );
    expect(alice.connected).toMatchObject({
      subscriptions: ['user.alice.notifications'],
      rejected: [
        { channel: 'user.bob', code: 'forbidden' },
        { channel: 'news.a', code: 'forbidden' },
      ],
    });
    expect(await alice.request({ type: 'subscribe', id: 2, channel: 'user.alice.>' })).toEqual({
      type: 'subscribed',
      id: 2,
      channel: 'user.alice.>',
      cursor: anyString,
    });
    expect(
      await alice.request({ type: 'subscribe', id: 3, channel: 'user.bob.notifications' }),
    ).toEqual(errorReply(3, 'forbidden'));
    // history and presence follow the same rule
    expect(await alice.request({ type: 'history', id: 4, channel: 'user.alice.>' })).toMatchObject({
      type: 'history',
      id: 4,
    });
    expect(
      await alice.request({ type: 'presence', id: 5, channel: 'user.alice.notifications' }),
    ).toMatchObject({ type: 'presence', id: 5 });
    expect(await alice.request({ type: 'history', id: 6, channel: 'user.bob' })).toEqual(
      errorReply(6, 'forbidden'),
    );
    // a refresh with the same grants keeps them
    const token = await node.token({ sub: 'alice', org: 'acme', subscribe: ['chat.>'] });
    expect(await alice.request({ type: 'refresh', id: 7, token })).toMatchObject({
      type: 'refreshed',
      id: 7,
    });
    const pub = await publishHttp(node, 'acme', 'user.alice.notifications', 'hi');
    expect(await alice.next('event')).toEqual(eventPush('user.alice.notifications', 'hi', pub));
    expect(await alice.quiet()).toEqual([]);
  });

  it("never delivers bob's personal events to alice's `>` or `*.*`, but delivers hers and bob's to him", async () => {
    const node = await start();
    const alice = await connectClient(
      node,
      { sub: 'alice', org: 'acme' },
      { subscriptions: ['>', '*.*'] },
    );
    const bob = await connectClient(
      node,
      { sub: 'bob', org: 'acme' },
      { subscriptions: ['user.bob.>', 'user.bob', 'marker'] },
    );
    await publishAll(node, 'acme', [
      'user.bob',
      'user.bob.notes',
      'user.alice',
      'user.alice.notes',
      'news.a',
      'marker',
    ]);
    expect(await channelsUntil(alice, 'marker')).toEqual([
      'user.alice',
      'user.alice.notes',
      'news.a',
      'marker',
    ]);
    expect(await channelsUntil(bob, 'marker')).toEqual(['user.bob', 'user.bob.notes', 'marker']);
  });

  it('treats the same user id in another tenant as another user', async () => {
    const node = await start();
    const mallory = await connectClient(
      node,
      { sub: 'bob', org: 'globex' },
      { subscriptions: ['user.bob.>', 'marker'] },
    );
    await publishAll(node, 'acme', ['user.bob.notes']);
    await publishAll(node, 'globex', ['marker']);
    expect(await channelsUntil(mallory, 'marker')).toEqual(['marker']);
  });
});

describe('tenant isolation (§1)', () => {
  it('delivers an event only to connections of its tenant', async () => {
    const node = await start();
    const alice = await connectClient(
      node,
      { sub: 'alice', org: 'acme' },
      { subscriptions: ['>'] },
    );
    const eve = await connectClient(node, { sub: 'eve', org: 'globex' }, { subscriptions: ['>'] });
    const a1 = await publishHttp(node, 'acme', 'news.a', 'for acme');
    const g1 = await publishHttp(node, 'globex', 'news.a', 'for globex');
    const a2 = await publishHttp(node, 'acme', 'marker', 'acme marker');
    const g2 = await publishHttp(node, 'globex', 'marker', 'globex marker');
    const ids = (ms: ServerMessage[]): string[] =>
      ms
        .filter((m): m is EventPush & { type: 'event' } => m.type === 'event')
        .map((m) => m.event_id);
    expect(ids(await untilEventOn(alice, 'marker'))).toEqual([a1.event_id, a2.event_id]);
    expect(ids(await untilEventOn(eve, 'marker'))).toEqual([g1.event_id, g2.event_id]);
  });
});
