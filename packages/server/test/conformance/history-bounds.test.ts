/**
 * Conformance: what one `history` call may cost (issue 10, defect 5). A call examines a bounded
 * number of log rows and answers a page that fits the connection's send queue (or the HTTP
 * byte budget); when either stops it early it says `more: true` with a `cursor` to go on from,
 * and paging with that cursor returns every event once, in order.
 */
import { describe, expect, it } from 'vitest';
import type { WireEvent } from '@hubcast/protocol';
import type { TestNode } from '../helpers/test-node.js';
import {
  asType,
  connectClient,
  httpRequest,
  useTestNodes,
  type ConnectedClient,
  type PublishedBody,
} from '../helpers/ws-client.js';

const start = useTestNodes();

/** Rows one call examines at most (read-history.ts): the tests must pass it to see a cut. */
const SCAN_ROWS = 10_000;
/** The HTTP answer's budget (api/routes/read.ts). */
const HTTP_BUDGET_BYTES = 4 * 1024 * 1024;
const DEFAULT_QUEUE_BYTES = 1024 * 1024;

/** Publishes `items` with the admin key in arrays of `per` (bodies under max-message-bytes). */
async function publishAll(
  node: TestNode,
  items: readonly { channel: string; data: unknown }[],
  per: number,
): Promise<PublishedBody[]> {
  const published: PublishedBody[] = [];
  for (let i = 0; i < items.length; i += per) {
    const chunk = items.slice(i, i + per).map((item) => ({ org: 'acme', ...item }));
    const res = await httpRequest(node, 'POST', '/api/publish', {
      json: chunk.length === 1 ? chunk[0] : chunk,
    });
    expect(res.status).toBe(200);
    published.push(
      ...(Array.isArray(res.body) ? (res.body as PublishedBody[]) : [res.body as PublishedBody]),
    );
  }
  return published;
}

interface Page {
  events: WireEvent[];
  more: boolean;
  cursor?: string;
}

/** A `history` reply as a page, with the size of its JSON line. */
async function historyPage(
  c: ConnectedClient,
  query: Record<string, unknown>,
): Promise<{ page: Page; bytes: number }> {
  const reply = asType(await c.request({ type: 'history', ...query }, 10_000), 'history');
  return { page: reply, bytes: Buffer.byteLength(JSON.stringify(reply)) };
}

describe('history over a sparse log (§4)', () => {
  // seq 1 on b.first, seq 2..25,001 on a.x, seq 25,002 on b.last.
  async function sparse(node: TestNode): Promise<PublishedBody[]> {
    const items = [
      { channel: 'b.first', data: 'first' },
      ...Array.from({ length: 25_000 }, (_, i) => ({ channel: 'a.x', data: i })),
      { channel: 'b.last', data: 'last' },
    ];
    return publishAll(node, items, 1000);
  }
  const cursorOfSeq = (pub: readonly PublishedBody[], seq: number): string =>
    (pub[seq - 1] as PublishedBody).cursor;

  it('stops after a bounded scan with more and a cursor, and pages to the end newest first', async () => {
    const node = await start({ historySize: 30_000 });
    const pub = await sparse(node);
    const c = await connectClient(node, { sub: 'bob', org: 'acme' });
    const pages: Page[] = [];
    let before: string | undefined;
    for (;;) {
      const { page } = await historyPage(c, {
        channel: 'b.>',
        limit: 10,
        ...(before === undefined ? {} : { before }),
      });
      pages.push(page);
      if (!page.more) break;
      before = page.cursor;
    }
    const head = 25_002;
    expect(pages.map((p) => [p.events.map((e) => e.data), p.more, p.cursor])).toEqual([
      [['last'], true, cursorOfSeq(pub, head - SCAN_ROWS + 1)],
      [[], true, cursorOfSeq(pub, head - 2 * SCAN_ROWS + 1)], // a page of no events still goes on
      [['first'], false, undefined],
    ]);
    expect(pages.every((p) => p.more === 'cursor' in p)).toBe(true);
  });

  it('pages oldest first with after and the cursor', async () => {
    const node = await start({ historySize: 30_000 });
    const pub = await sparse(node);
    const c = await connectClient(node, { sub: 'bob', org: 'acme' });
    const pages: Page[] = [];
    let after = cursorOfSeq(pub, 1);
    for (;;) {
      const { page } = await historyPage(c, { channel: 'b.>', after });
      pages.push(page);
      if (!page.more) break;
      after = page.cursor ?? '';
    }
    expect(pages.map((p) => [p.events.map((e) => e.data), p.more, p.cursor])).toEqual([
      [[], true, cursorOfSeq(pub, 1 + SCAN_ROWS)],
      [[], true, cursorOfSeq(pub, 1 + 2 * SCAN_ROWS)],
      [['last'], false, undefined],
    ]);
  });
});

describe('history pages within the send queue (§4, §2.5)', () => {
  const PAYLOAD = 'x'.repeat(60_000);

  /** 1,000 events of 60 KB on big.a, 16 a publish (the node allows 1 MB bodies). */
  async function bigEvents(node: TestNode): Promise<PublishedBody[]> {
    const items = Array.from({ length: 1000 }, (_, i) => ({
      channel: 'big.a',
      data: { i, pad: PAYLOAD },
    }));
    return publishAll(node, items, 16);
  }

  it('answers pages of at most half the queue, keeps the connection, and pages through all', async () => {
    // The default queue bound (1 MiB); bodies may be larger, to publish quicker.
    const node = await start({ historySize: 2000, maxMessageBytes: 1_000_000 });
    const pub = await bigEvents(node);
    const c = await connectClient(node, { sub: 'bob', org: 'acme' });
    const pages: Page[] = [];
    let before: string | undefined;
    for (let id = 1; ; id++) {
      const { page, bytes } = await historyPage(c, {
        id,
        channel: 'big.a',
        limit: 1000,
        ...(before === undefined ? {} : { before }),
      });
      expect(bytes).toBeLessThanOrEqual(DEFAULT_QUEUE_BYTES / 2);
      expect(page.events.length).toBeGreaterThan(0);
      pages.push(page);
      if (!page.more) break;
      before = page.cursor;
    }
    const ids = pages.reverse().flatMap((p) => p.events.map((e) => e.event_id));
    expect(ids).toEqual(pub.map((p) => p.event_id));
    expect(pages.length).toBeGreaterThan(100); // about 8 events of 60 KB per page
    expect(await c.quiet()).toEqual([]);
    expect(c.closeInfo).toBeUndefined();
  });

  it('answers an event larger than half the queue alone, and one larger than the queue with too_large', async () => {
    // 100 KB of queue: a 60 KB event is past its half but fits it; a 120 KB one does not.
    const node = await start({ maxQueueBytes: 100_000, maxMessageBytes: 200_000 });
    await publishAll(node, [{ channel: 'big.a', data: PAYLOAD }], 1);
    await publishAll(node, [{ channel: 'big.a', data: PAYLOAD }], 1);
    const c = await connectClient(node, { sub: 'bob', org: 'acme' });
    const first = await historyPage(c, { id: 1, channel: 'big.a' });
    expect(first.page.events).toHaveLength(1);
    expect(first.page.more).toBe(true);
    const second = await historyPage(c, { id: 2, channel: 'big.a', before: first.page.cursor });
    expect([second.page.events.length, second.page.more]).toEqual([1, false]);

    const huge = await publishAll(node, [{ channel: 'huge.a', data: 'y'.repeat(120_000) }], 1);
    const refused = await c.request({ type: 'history', id: 3, channel: 'huge.a' });
    expect(refused).toEqual({
      type: 'error',
      id: 3,
      code: 'too_large',
      message: expect.stringMatching(/send queue/) as unknown,
      // Where a reader goes on past it, as the `cursor` of a page.
      cursor: huge[0]?.cursor,
    });
    expect(await c.quiet()).toEqual([]);
    expect(c.closeInfo).toBeUndefined();
  });
});

describe('GET /api/history within its byte budget (§8)', () => {
  it('answers at most the budget per page, and pages through all with the cursor', async () => {
    const node = await start({ historySize: 2000, maxMessageBytes: 1_000_000 });
    const items = Array.from({ length: 1000 }, (_, i) => ({
      channel: 'big.a',
      data: { i, pad: 'x'.repeat(60_000) },
    }));
    const pub = await publishAll(node, items, 16);
    const pages: Page[] = [];
    let before: string | undefined;
    for (;;) {
      const q = `org=acme&channel=big.a&limit=1000${before === undefined ? '' : `&before=${encodeURIComponent(before)}`}`;
      const res = await httpRequest(node, 'GET', `/api/history?${q}`);
      expect(res.status).toBe(200);
      expect(Buffer.byteLength(res.text)).toBeLessThanOrEqual(HTTP_BUDGET_BYTES);
      const page = res.body as Page;
      pages.push(page);
      if (!page.more) break;
      before = page.cursor;
    }
    const ids = pages.reverse().flatMap((p) => p.events.map((e) => e.event_id));
    expect(ids).toEqual(pub.map((p) => p.event_id));
    expect(pages.length).toBeGreaterThan(10); // about 68 events of 60 KB per page
  });
});
