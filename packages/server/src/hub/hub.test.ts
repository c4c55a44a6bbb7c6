import { describe, expect, it } from 'vitest';
import { Hub } from './hub.js';

function matched(hub: Hub<string>, org: string, channel: string): string[] {
  const out: string[] = [];
  hub.match(org, channel, (v) => out.push(v));
  return out.sort();
}

describe('Hub', () => {
  it('keeps orgs apart: a pattern of one org never matches another org', () => {
    const hub = new Hub<string>();
    hub.add('acme', '>', 'acme-all');
    hub.add('acme', 'room.1', 'acme-room');
    hub.add('globex', 'room.*', 'globex-rooms');
    expect(matched(hub, 'acme', 'room.1')).toEqual(['acme-all', 'acme-room']);
    expect(matched(hub, 'globex', 'room.1')).toEqual(['globex-rooms']);
    expect(matched(hub, 'initech', 'room.1')).toEqual([]);
    expect([...(hub.exactMatches('acme', 'room.1') ?? [])]).toEqual(['acme-room']);
    expect(hub.exactMatches('globex', 'room.1')).toBeUndefined();
  });

  it('counts subscriptions across orgs in size', () => {
    const hub = new Hub<string>();
    expect(hub.size).toBe(0);
    hub.add('acme', 'a', 's1');
    hub.add('acme', 'a.*', 's1');
    hub.add('globex', 'a', 's2');
    expect(hub.size).toBe(3);
    hub.delete('acme', 'a.*', 's1');
    expect(hub.size).toBe(2);
    hub.delete('acme', 'a', 's1');
    hub.delete('globex', 'a', 's2');
    expect(hub.size).toBe(0);
  });

  it('leaves size alone for deletes of what it does not hold', () => {
    const hub = new Hub<string>();
    hub.add('acme', 'a', 's1');
    hub.delete('initech', 'a', 's1'); // an org with no index
    hub.delete('acme', 'a', 's2'); // a known org, an unknown value
    hub.delete('acme', 'b.*', 's1'); // a known org, an unknown pattern
    expect(hub.size).toBe(1);
    expect(matched(hub, 'acme', 'a')).toEqual(['s1']);
  });

  it('counts a repeated add of one (pattern, value) once', () => {
    const hub = new Hub<string>();
    hub.add('acme', 'a.*', 's1');
    hub.add('acme', 'a.*', 's1');
    expect(hub.size).toBe(1);
    hub.delete('acme', 'a.*', 's1');
    expect(hub.size).toBe(0);
    expect(matched(hub, 'acme', 'a.b')).toEqual([]);
  });

  it('serves an org again after all its subscriptions left', () => {
    const hub = new Hub<string>();
    hub.add('acme', 'a.>', 's1');
    hub.delete('acme', 'a.>', 's1');
    expect(matched(hub, 'acme', 'a.b')).toEqual([]);
    hub.add('acme', 'a.>', 's2');
    expect(matched(hub, 'acme', 'a.b')).toEqual(['s2']);
    expect(hub.size).toBe(1);
  });
});

describe('Hub presence watchers', () => {
  it('lists watchers per org and channel, and forgets them when the last one goes', () => {
    const hub = new Hub<string>();
    hub.watch('acme', 'room.1', 'a');
    hub.watch('acme', 'room.1', 'b');
    hub.watch('acme', 'room.1', 'a'); // twice is once
    hub.watch('globex', 'room.1', 'g');
    expect([...(hub.watchersOf('acme', 'room.1') ?? [])]).toEqual(['a', 'b']);
    expect([...(hub.watchersOf('globex', 'room.1') ?? [])]).toEqual(['g']);
    hub.unwatch('acme', 'room.1', 'a');
    hub.unwatch('acme', 'room.1', 'zzz'); // unknown: harmless
    expect([...(hub.watchersOf('acme', 'room.1') ?? [])]).toEqual(['b']);
    hub.unwatch('acme', 'room.1', 'b');
    expect(hub.watchersOf('acme', 'room.1')).toBeUndefined();
    expect(hub.size).toBe(0); // watching is not subscribing
  });
});
