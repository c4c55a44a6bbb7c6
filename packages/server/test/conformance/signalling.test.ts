/**
 * Conformance over raw frames: the `signal.send` rpc (docs/ephemeral.md §10). A signal is an
 * ephemeral event on `user.<to>.signal` with `from` = the caller, to that user of the caller's
 * tenant only, never stored; refusals for a bad `to`, the caller itself, oversized data and a
 * caller past its rate.
 */
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '@hubcast/protocol';
import { SIGNAL_BURST, SIGNAL_DATA_MAX_BYTES } from '../../src/services/signalling.js';
import { errorReply } from '../helpers/conformance-fixtures.js';
import {
  anyString,
  anyTs,
  asType,
  connectClient,
  httpRequest,
  useTestNodes,
} from '../helpers/ws-client.js';

const start = useTestNodes();

const OFFER = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };

describe('signal.send (docs/ephemeral.md §10)', () => {
  it("delivers to the callee's signal channel with from = caller, and answers {event_id}", async () => {
    // Signalling needs no ephemeralChannels: the service writes the personal channel itself.
    const node = await start();
    const alice = await connectClient(node, { sub: 'alice', org: 'acme', subscribe: [] });
    const bob = await connectClient(
      node,
      { sub: 'bob', org: 'acme', subscribe: [] },
      { subscriptions: ['user.bob.>'] },
    );
    const bobPhone = await connectClient(
      node,
      { sub: 'bob', org: 'acme' },
      { subscriptions: ['user.bob.signal'] },
    );
    const eve = await connectClient(node, { sub: 'eve', org: 'acme' }, { subscriptions: ['>'] });
    const otherBob = await connectClient(
      node,
      { sub: 'bob', org: 'other' },
      { subscriptions: ['user.bob.>'] },
    );
    const reply = await alice.request({
      type: 'rpc',
      id: 2,
      method: 'signal.send',
      params: { to: 'bob', data: OFFER },
    });
    expect(reply).toEqual({ type: 'result', id: 2, result: { event_id: anyString } });
    const eventId = (asType(reply, 'result').result as { event_id: string }).event_id;
    const expected = {
      type: 'event',
      channel: 'user.bob.signal',
      event_id: eventId,
      ephemeral: true,
      ts: anyTs,
      data: OFFER,
      from: 'alice',
    };
    expect(await bob.next('event')).toEqual(expected);
    expect(await bobPhone.next('event')).toEqual(expected);
    for (const c of [alice, eve, otherBob]) expect(await c.quiet()).toEqual([]);
    // Never stored.
    const history = await httpRequest(node, 'GET', '/api/history?org=acme&channel=user.bob.signal');
    expect(history.body).toMatchObject({ events: [] });
  });

  it.each<[label: string, params: unknown, code: ErrorCode]>([
    ['no params', undefined, 'bad_request'],
    ['no to', { data: OFFER }, 'bad_request'],
    ['a to that is not a user id', { to: 'bob.x', data: OFFER }, 'bad_request'],
    ['a numeric to', { to: 7, data: OFFER }, 'bad_request'],
    ['no data', { to: 'bob' }, 'bad_request'],
    ['the caller as to', { to: 'alice', data: OFFER }, 'bad_request'],
    ['data past the size cap', { to: 'bob', data: 'x'.repeat(SIGNAL_DATA_MAX_BYTES) }, 'too_large'],
  ])('refuses %s and sends nothing', async (_label, params, code) => {
    const node = await start({ maxMessageBytes: 2 * SIGNAL_DATA_MAX_BYTES });
    const alice = await connectClient(node, { sub: 'alice', org: 'acme' });
    const bob = await connectClient(
      node,
      { sub: 'bob', org: 'acme' },
      { subscriptions: ['user.bob.>'] },
    );
    const cmd = {
      type: 'rpc',
      id: 3,
      method: 'signal.send',
      ...(params === undefined ? {} : { params }),
    };
    expect(await alice.request(cmd)).toEqual(errorReply(3, code));
    expect(await bob.quiet()).toEqual([]);
  });

  it('answers not_found for another signal method', async () => {
    const node = await start();
    const alice = await connectClient(node, { sub: 'alice', org: 'acme' });
    expect(await alice.request({ type: 'rpc', id: 4, method: 'signal.ring', params: {} })).toEqual(
      errorReply(4, 'not_found'),
    );
  });

  it('limits signals per user, across the connections of that user', async () => {
    const node = await start({ rateBurst: 1000, rateLimit: 1000 });
    const tabs = [
      await connectClient(node, { sub: 'alice', org: 'acme' }),
      await connectClient(node, { sub: 'alice', org: 'acme' }),
    ];
    const carol = await connectClient(node, { sub: 'carol', org: 'acme' });
    // 80 signals in one frame per tab, so little time passes for refills (20 a second): the
    // burst passes, then refusals. The budget is the user's, shared by both tabs.
    const perTab = 40;
    const ids = (tab: number) => Array.from({ length: perTab }, (_, n) => tab * 1000 + n + 1);
    tabs.forEach((tab, t) =>
      tab.sendBatch(
        ids(t).map((id) => ({
          type: 'rpc',
          id,
          method: 'signal.send',
          params: { to: 'bob', data: id },
        })),
      ),
    );
    const codes: string[] = [];
    for (const [t, tab] of tabs.entries())
      for (const id of ids(t)) {
        const reply = await tab.reply(id);
        codes.push(reply.type === 'error' ? reply.code : reply.type);
      }
    const passed = codes.filter((c) => c === 'result').length;
    expect(passed).toBeGreaterThanOrEqual(SIGNAL_BURST);
    expect(passed).toBeLessThan(2 * perTab);
    expect(codes.filter((c) => c !== 'result').every((c) => c === 'rate_limited')).toBe(true);
    // Another user has a budget of their own.
    expect(
      (await carol.request({ type: 'rpc', method: 'signal.send', params: { to: 'bob', data: 1 } }))
        .type,
    ).toBe('result');
  });
});
