/**
 * A new client (a reloaded page) picks up where an earlier one stopped: `cursor` in the options
 * makes its first connect resume from a stored `client.cursor`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { HubcastEvent } from '../src/index.js';
import { startFixture, type Fixture } from './helpers/fixtures.js';
import { record, until, waitFor } from './helpers/wait-for.js';

let fx: Fixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

describe('the cursor option', () => {
  it('replays what was missed between two clients, in order, once', async () => {
    fx = await startFixture();
    const first = await fx.client('alice');
    const seen: HubcastEvent[] = [];
    first.subscribe('feed.>', (ev) => seen.push(ev));
    await first.connect();
    await fx.api.publish({ channel: 'feed.a', data: 1 });
    await until(first, 'event', () => seen.length === 1);
    const stored = first.cursor;
    first.disconnect(); // the page unloads

    const missed = [
      await fx.api.publish({ channel: 'feed.b', data: 2 }),
      await fx.api.publish({ channel: 'other.x', data: 'not subscribed' }),
      await fx.api.publish({ channel: 'feed.c', data: 3 }),
    ];
    const next = await fx.client('alice', { ...(stored === undefined ? {} : { cursor: stored }) });
    const got: HubcastEvent[] = [];
    next.subscribe('feed.>', (ev) => got.push(ev));
    const resets = record(next, 'reset');
    const connected = waitFor(next, 'connected');
    await next.connect();

    expect((await connected).resumed).toBe(true);
    expect(got.map((e) => e.data)).toEqual([2, 3]);
    expect(got.map((e) => e.event_id)).toEqual([missed[0]?.event_id, missed[2]?.event_id]);
    expect(next.cursor).toBe(missed[2]?.cursor);
    expect(resets).toEqual([]);
  });

  it('emits reset when the stored cursor cannot be placed', async () => {
    fx = await startFixture();
    const client = await fx.client('alice', { cursor: 'not-a-cursor-of-this-log' });
    client.subscribe('feed.>', () => {});
    const reset = waitFor(client, 'reset');
    await client.connect();
    expect(await reset).toMatchObject({ previousCursor: 'not-a-cursor-of-this-log' });
    expect(client.cursor).not.toBe('not-a-cursor-of-this-log');
  });
});
