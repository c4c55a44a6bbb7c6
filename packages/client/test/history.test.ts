import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HistoryPage, HubcastClient } from '../src/index.js';
import { startFixture, type Fixture } from './helpers/fixtures.js';

let fx: Fixture;
beforeEach(async () => {
  fx = await startFixture({ historySize: 30_000 });
});
afterEach(async () => {
  await fx.close();
});

/** Every page of `channel`, newest first, going on `before` each page's cursor. */
async function allPagesBackwards(client: HubcastClient, channel: string): Promise<HistoryPage[]> {
  const pages = [await client.history(channel, { limit: 10 })];
  for (let page = pages[0]; page?.more === true;) {
    page = await client.history(channel, { limit: 10, before: page.cursor ?? '' });
    pages.push(page);
  }
  return pages;
}

describe('history', () => {
  it('gives the cursor to go on from while there is more, both ways', async () => {
    const [a1, , a2] = (await fx.api.publish([
      { channel: 'a.x', data: 'a1' },
      { channel: 'b.x', data: 'b1' },
      { channel: 'a.x', data: 'a2' },
    ])) as { cursor: string }[];
    const client = await fx.client('alice');
    await client.connect();
    const newest = await client.history('a.*', { limit: 1 });
    expect(newest.events.map((e) => e.data)).toEqual(['a2']);
    expect(newest.more).toBe(true);
    const older = await client.history('a.*', { limit: 1, before: newest.cursor ?? '' });
    expect(older).toEqual({ events: [expect.objectContaining({ data: 'a1' })], more: false });
    expect('cursor' in older).toBe(false);
    const forward = await client.history('a.*', { limit: 1, after: a1?.cursor ?? '' });
    expect([forward.events.map((e) => e.data), forward.more]).toEqual([['a2'], false]);
    expect(a2?.cursor).toBe(forward.events[0]?.cursor);
  });

  it('pages through a log where the pattern is rare, through pages of no events', async () => {
    await fx.api.publish({ channel: 'rare.x', data: 'first' });
    for (let i = 0; i < 21_000; i += 500) {
      await fx.api.publish(
        Array.from({ length: 500 }, (_, j) => ({ channel: 'busy.x', data: i + j })),
      );
    }
    await fx.api.publish({ channel: 'rare.x', data: 'last' });
    const client = await fx.client('alice');
    await client.connect();
    const pages = await allPagesBackwards(client, 'rare.>');
    expect(pages.map((p) => [p.events.map((e) => e.data), p.more])).toEqual([
      [['last'], true], // the newest 10,000 rows
      [[], true],
      [['first'], false],
    ]);
    // The HTTP API answers the same pages.
    const viaApi = await fx.api.history({ channel: 'rare.>', limit: 10 });
    expect(viaApi.more).toBe(true);
    expect(viaApi.cursor).toBe(pages[0]?.cursor);
  });
});
