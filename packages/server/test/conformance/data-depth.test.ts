/**
 * Conformance: the nesting bound of an event's `data` (PROTOCOL.md §9, `max-data-depth`, 64 by
 * default; `{}` is depth 1). Deeper data is `bad_request` / 400 on every door, however deep
 * (a million levels parse fine and used to overflow the stack when serialized: 500), and a
 * refused publish takes no place in the log.
 */
import { describe, expect, it } from 'vitest';
import type { TestNode } from '../helpers/test-node.js';
import { errorReply } from '../helpers/conformance-fixtures.js';
import {
  anyString,
  asType,
  connectClient,
  httpRequest,
  publishHttp,
  useTestNodes,
  type HttpResult,
} from '../helpers/ws-client.js';

const start = useTestNodes();

/** JSON text of `levels` arrays nested around `1`. */
const nestedText = (levels: number): string => '['.repeat(levels) + '1' + ']'.repeat(levels);
const nested = (levels: number): unknown => JSON.parse(nestedText(levels));

function expectBadRequest(res: HttpResult, extra: Record<string, unknown> = {}): void {
  expect({ status: res.status, body: res.body }).toEqual({
    status: 400,
    body: { error: { code: 'bad_request', message: anyString, ...extra } },
  });
}

const publishRaw = (node: TestNode, body: string): Promise<HttpResult> =>
  httpRequest(node, 'POST', '/api/publish', { raw: body });

/** The log head as a new connection is told it (`connected.cursor`, §4). */
async function headCursor(node: TestNode): Promise<string> {
  const c = await connectClient(node, { sub: 'probe', org: 'acme' });
  c.close();
  return c.connected.cursor;
}

async function historyData(node: TestNode): Promise<unknown[]> {
  const res = await httpRequest(node, 'GET', '/api/history?org=acme&channel=%3E');
  expect(res.status).toBe(200);
  return (res.body as { events: { data: unknown }[] }).events.map((e) => e.data);
}

describe('POST /api/publish', () => {
  it('takes data 64 levels deep and refuses 65 with 400 bad_request naming data', async () => {
    const node = await start();
    const ok = await publishRaw(node, `{"org":"acme","channel":"news.a","data":${nestedText(64)}}`);
    expect(ok.status).toBe(200);
    const refused = await publishRaw(
      node,
      `{"org":"acme","channel":"news.a","data":${nestedText(65)}}`,
    );
    expectBadRequest(refused);
    expect((refused.body as { error: { message: string } }).error.message).toMatch(/'data'.*64/);
    expect(await historyData(node)).toEqual([nested(64)]);
  });

  it.each([5_000, 30_000])('refuses %i levels with 400, not 500', async (levels) => {
    const node = await start();
    const res = await publishRaw(
      node,
      `{"org":"acme","channel":"news.a","data":${nestedText(levels)}}`,
    );
    expectBadRequest(res);
  });

  it('refuses an array with one deep item whole, naming its index; the head does not move', async () => {
    const node = await start();
    const first = await publishHttp(node, 'acme', 'news.a', 'first');
    const res = await publishRaw(
      node,
      `[{"org":"acme","channel":"news.b","data":1},` +
        `{"org":"acme","channel":"news.c","data":${nestedText(10_000)}}]`,
    );
    expectBadRequest(res, { index: 1 });
    // No sequence number was taken: the head is still the first event.
    expect(await headCursor(node)).toBe(first.cursor);
    const next = await publishHttp(node, 'acme', 'news.a', 'next');
    expect(await historyData(node)).toEqual(['first', 'next']);
    const after = await httpRequest(
      node,
      'GET',
      `/api/history?org=acme&channel=%3E&after=${encodeURIComponent(first.cursor)}`,
    );
    expect(after.body).toMatchObject({ events: [{ event_id: next.event_id }], more: false });
  });

  it('answers 400 for a body nested 200,000 levels (it parses; nothing may recurse on it)', async () => {
    const node = await start({ maxMessageBytes: 1024 * 1024 });
    const body = `{"org":"acme","channel":"news.a","data":${nestedText(200_000)}}`;
    expect(body.length).toBeGreaterThan(400_000);
    expectBadRequest(await publishRaw(node, body));
    // An array body whose item is the deep part: an item must be an object.
    expectBadRequest(await publishRaw(node, nestedText(200_000)), { index: 0 });
  });

  it('follows --max-data-depth', async () => {
    const node = await start({ maxDataDepth: 2 });
    const ok = await publishRaw(node, '{"org":"acme","channel":"news.a","data":{"a":[1]}}');
    expect(ok.status).toBe(200);
    const refused = await publishRaw(node, '{"org":"acme","channel":"news.a","data":{"a":[[]]}}');
    expectBadRequest(refused);
  });
});

describe('POST /api/notify', () => {
  const notify = (node: TestNode, notification: string): Promise<HttpResult> =>
    httpRequest(node, 'POST', '/api/notify', {
      raw: `{"org":"acme","users":["alice"],"notification":${notification}}`,
    });

  it('takes notification.data 64 levels deep and pushes it intact', async () => {
    const node = await start();
    const alice = await connectClient(
      node,
      { sub: 'alice', org: 'acme' },
      { subscriptions: ['user.alice.notifications'] },
    );
    const res = await notify(node, `{"kind":"k","title":"t","data":${nestedText(64)}}`);
    expect(res.status).toBe(200);
    const event = await alice.next('event');
    expect(event.data).toMatchObject({ notification: { data: nested(64) } });
  });

  it.each([65, 10_000])('refuses notification.data %i levels deep with 400', async (levels) => {
    const node = await start();
    const res = await notify(node, `{"kind":"k","title":"t","data":${nestedText(levels)}}`);
    expectBadRequest(res);
    expect((res.body as { error: { message: string } }).error.message).toMatch(
      /'notification\.data'/,
    );
  });

  it('refuses a deep field elsewhere in the body with 400, not 500', async () => {
    const node = await start();
    const res = await notify(node, `{"kind":"k","title":"t","extra":${nestedText(10_000)}}`);
    expectBadRequest(res);
  });
});

describe('the publish command', () => {
  it('takes data 64 levels deep and refuses 65 with bad_request, keeping the connection', async () => {
    const node = await start();
    const alice = await connectClient(
      node,
      { sub: 'alice', org: 'acme', publish: ['news.>'] },
      { subscriptions: ['news.>'] },
    );
    const ok = await alice.request({ type: 'publish', id: 1, channel: 'news.a', data: nested(64) });
    const published = asType(ok, 'published');
    expect(await alice.next('event')).toMatchObject({ data: nested(64) });
    alice.sendRaw(`{"type":"publish","id":2,"channel":"news.a","data":${nestedText(65)}}`);
    expect(await alice.reply(2)).toEqual(errorReply(2, 'bad_request'));
    expect(await alice.quiet()).toEqual([]);
    expect(await headCursor(node)).toBe(published.cursor);
  });

  it('refuses a frame nested 30,000 levels with bad_request, not 500 or a close', async () => {
    const node = await start();
    const alice = await connectClient(node, { sub: 'alice', org: 'acme', publish: ['news.>'] });
    const before = await headCursor(node);
    alice.sendRaw(`{"type":"publish","id":3,"channel":"news.a","data":${nestedText(30_000)}}`);
    expect(await alice.reply(3)).toEqual(errorReply(3, 'bad_request'));
    expect(await alice.quiet()).toEqual([]);
    expect(await headCursor(node)).toBe(before);
  });

  it('answers bad_request to a frame of 200,000 levels (not 1011)', async () => {
    const node = await start({ maxMessageBytes: 1024 * 1024 });
    const alice = await connectClient(node, { sub: 'alice', org: 'acme', publish: ['news.>'] });
    alice.sendRaw(`{"type":"publish","id":4,"channel":"news.a","data":${nestedText(200_000)}}`);
    expect(await alice.reply(4)).toEqual(errorReply(4, 'bad_request'));
    alice.sendRaw(nestedText(200_000)); // not even an object
    expect(await alice.next('error')).toMatchObject({ code: 'bad_request' });
    expect(await alice.quiet()).toEqual([]);
  });
});
