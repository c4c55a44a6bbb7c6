import { describe, expect, it } from 'vitest';
import type { HubcastEvent } from './events.js';
import { SubscriptionRegistry } from './subscription-registry.js';
import { Subscription, type SubscriptionHost } from './subscription.js';

function setup() {
  const registry = new SubscriptionRegistry();
  const received: string[] = [];
  const host: SubscriptionHost = {
    detach: (sub) => void registry.remove(sub),
    reportError: () => undefined,
  };
  const add = (
    pattern: string,
    opts: { presence?: boolean; cursor?: string; tag?: string } = {},
  ) => {
    const tag = opts.tag ?? pattern;
    const sub = new Subscription(
      pattern,
      (ev) => received.push(`${tag}:${ev.event_id}`),
      opts.presence === true,
      host,
    );
    return { sub, ...registry.add(sub, opts.cursor) };
  };
  return { registry, received, add };
}

const ev = (channel: string, id: string): HubcastEvent => ({
  event_id: id,
  channel,
  data: null,
  ts: '2025-01-01T00:00:00.000Z',
  cursor: `c-${id}`,
});

describe('SubscriptionRegistry', () => {
  it('groups handlers of one pattern; only the first needs the server', () => {
    const { add, registry } = setup();
    const a = add('room.*', { tag: 'a' });
    const b = add('room.*', { tag: 'b' });
    expect(a.mustSubscribe).toBe(true);
    expect(b.mustSubscribe).toBe(false);
    expect(a.group).toBe(b.group);
    expect(registry.patternsForConnect()).toEqual(['room.*']);
  });

  it('routes an event to every matching handler', () => {
    const { add, registry, received } = setup();
    add('room.*', { tag: 'star' });
    add('room.>', { tag: 'gt' });
    add('room.1', { tag: 'one' });
    add('other', { tag: 'other' });
    registry.deliver(ev('room.1', 'e1'), undefined);
    expect(received.sort()).toEqual(['gt:e1', 'one:e1', 'star:e1']);
  });

  it('leaves groups with a replay cursor out of connect', () => {
    const { add, registry } = setup();
    add('a.>');
    add('b.>', { cursor: 'c-5' });
    expect(registry.patternsForConnect()).toEqual(['a.>']);
  });

  it('applyConnected: accepted go live, rejected end with their code, others wait', () => {
    const { add, registry } = setup();
    const ok = add('a.>');
    const bad = add('user.bob');
    const replay = add('b.>', { cursor: 'c-1' });
    registry.patternsForConnect();
    registry.applyConnected(['a.>'], [{ channel: 'user.bob', code: 'forbidden' }], {
      cursor: 'head',
    });
    expect(ok.sub.state).toBe('subscribed');
    expect(bad.sub.state).toBe('unsubscribed');
    expect(registry.get('user.bob')).toBeUndefined();
    expect(replay.sub.state).toBe('subscribing');
    expect(registry.needingSubscribe().map((g) => g.pattern)).toEqual(['b.>']);
  });

  it('asks again for presence after each connect, and for a presence upgrade', () => {
    const { add, registry } = setup();
    add('room.1');
    registry.patternsForConnect();
    registry.applyConnected(['room.1'], [], { cursor: 'h' });
    expect(registry.needingSubscribe()).toEqual([]);
    const upgrade = add('room.1', { presence: true });
    expect(upgrade.mustSubscribe).toBe(true);
    expect(upgrade.sub.state).toBe('subscribed'); // joined a live group
    registry.markPending(upgrade.group, false);
    expect(registry.needingSubscribe()).toEqual([]);
    registry.connectionLost('gone');
    expect(upgrade.sub.state).toBe('subscribing');
    registry.patternsForConnect();
    registry.applyConnected(['room.1'], [], { cursor: 'h' });
    expect(registry.needingSubscribe().map((g) => g.pattern)).toEqual(['room.1']);
  });

  describe('replayTarget', () => {
    it.each<[string, string | undefined]>([
      ['b.1', 'b.>'], // matches only the replaying pattern: a replay
      ['a.1', undefined], // matches a live pattern only
      ['c.1', undefined], // matches nothing
    ])('%s -> %s', (channel, expected) => {
      const { add, registry } = setup();
      add('a.>');
      registry.patternsForConnect();
      registry.applyConnected(['a.>'], [], { cursor: 'h' });
      const replay = add('b.>', { cursor: 'c-1' });
      registry.markPending(replay.group, true);
      expect(registry.replayTarget(channel)?.pattern).toBe(expected);
    });

    it('an event also matching a live pattern is live, not a replay', () => {
      const { add, registry } = setup();
      add('x.>');
      registry.patternsForConnect();
      registry.applyConnected(['x.>'], [], { cursor: 'h' });
      const replay = add('x.1', { cursor: 'c-1' });
      registry.markPending(replay.group, true);
      expect(registry.replayTarget('x.1')).toBeUndefined();
    });

    it('replayed events go to the target only and advance its own cursor', () => {
      const { add, registry, received } = setup();
      add('b.*', { tag: 'other' }); // idle locally (not requested yet): not consulted
      const replay = add('b.>', { cursor: 'c-1', tag: 'replay' });
      registry.markPending(replay.group, true);
      const target = registry.replayTarget('b.1');
      expect(target?.pattern).toBe('b.>');
      registry.deliver(ev('b.1', 'e7'), target);
      expect(received).toEqual(['replay:e7']);
      expect(replay.group.cursor).toBe('c-e7');
      registry.markLive(replay.group, { channel: 'b.>', cursor: 'h' });
      expect(replay.group.cursor).toBeUndefined();
      expect(registry.replayTarget('b.1')).toBeUndefined();
    });
  });

  it('endByServer ends every handler of the pattern', () => {
    const { add, registry } = setup();
    const a = add('p.1', { tag: 'a' });
    const b = add('p.1', { tag: 'b' });
    const reasons: string[] = [];
    a.sub.on('unsubscribed', (c) => reasons.push(c.reason));
    expect(registry.endByServer('p.1', 'forbidden')).toBe(true);
    expect([a.sub.state, b.sub.state]).toEqual(['unsubscribed', 'unsubscribed']);
    expect(reasons).toEqual(['forbidden']);
    expect(registry.endByServer('p.1', 'forbidden')).toBe(false);
  });

  it('presence pushes reach presence subscriptions of exactly that channel', () => {
    const { add, registry } = setup();
    const withPresence = add('room.1', { presence: true });
    const without = add('room.1');
    const wildcard = add('room.*', { presence: true });
    const joins: string[] = [];
    withPresence.sub.on('join', (c) => joins.push(`p:${c.user}`));
    without.sub.on('join', (c) => joins.push(`n:${c.user}`));
    wildcard.sub.on('join', (c) => joins.push(`w:${c.user}`));
    registry.deliverPresence({ type: 'join', channel: 'room.1', user: 'ann' });
    expect(joins).toEqual(['p:ann']);
  });

  it('remove returns the group when its last handler leaves', () => {
    const { add, registry } = setup();
    const a = add('q');
    const b = add('q');
    a.sub.unsubscribe();
    expect(registry.get('q')).toBeDefined();
    expect(registry.remove(b.sub)).toBe(b.group);
    expect(registry.get('q')).toBeUndefined();
  });
});
