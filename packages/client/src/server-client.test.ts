import { describe, expect, it } from 'vitest';
import { HubcastError } from '@hubcast/protocol';
import { ServerClient, type FetchLike } from './server-client.js';

/** Matches any string; typed `unknown` so typed literals hold it without `any`. */
const anyString: unknown = expect.any(String);

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

function fakeFetch(status: number, answer: unknown): { fetch: FetchLike; calls: Call[] } {
  const calls: Call[] = [];
  const fetch: FetchLike = (url, init) => {
    calls.push({
      url,
      method: init.method,
      headers: init.headers,
      body: init.body === undefined ? undefined : JSON.parse(init.body),
    });
    return Promise.resolve({
      ok: status < 300,
      status,
      text: () => Promise.resolve(JSON.stringify(answer)),
    });
  };
  return { fetch, calls };
}

describe('ServerClient', () => {
  it('publishes one item with the default org and the key in the header only', async () => {
    const { fetch, calls } = fakeFetch(200, { event_id: 'e1', cursor: 'c1', duplicate: false });
    const api = new ServerClient({ url: 'http://h:1/', apiKey: 'k-secret', org: 'acme', fetch });
    await expect(api.publish({ channel: 'a.b', data: { x: 1 } })).resolves.toEqual({
      event_id: 'e1',
      cursor: 'c1',
      duplicate: false,
    });
    expect(calls).toEqual([
      {
        url: 'http://h:1/api/publish',
        method: 'POST',
        headers: {
          authorization: 'Bearer k-secret',
          accept: 'application/json',
          'content-type': 'application/json',
        },
        body: { channel: 'a.b', data: { x: 1 }, org: 'acme', key: anyString },
      },
    ]);
  });

  it('publishes an array, keeping an item org over the default', async () => {
    const { fetch, calls } = fakeFetch(200, []);
    const api = new ServerClient({ url: 'http://h:1', apiKey: 'k', org: 'acme', fetch });
    await api.publish([
      { channel: 'a', data: 1 },
      { channel: 'b', data: 2, org: 'other', key: 'k2' },
    ]);
    expect(calls[0]?.body).toEqual([
      { channel: 'a', data: 1, org: 'acme', key: anyString }, // auto key
      { channel: 'b', data: 2, org: 'other', key: 'k2' },
    ]);
  });

  it.each([
    [
      'history',
      (api: ServerClient) => api.history({ channel: 'a.>', after: 'c1', limit: 5 }),
      'GET',
      'http://h:1/p/api/history?channel=a.%3E&after=c1&limit=5&org=acme',
    ],
    [
      'presence',
      (api: ServerClient) => api.presence({ channel: 'room.1' }),
      'GET',
      'http://h:1/p/api/presence?channel=room.1&org=acme',
    ],
    ['stats', (api: ServerClient) => api.stats(), 'GET', 'http://h:1/p/api/stats?org=acme'],
    [
      'stats of another org',
      (api: ServerClient) => api.stats('x'),
      'GET',
      'http://h:1/p/api/stats?org=x',
    ],
    [
      'disconnect',
      (api: ServerClient) => api.disconnect({ user: 'u1', reason: 'bye' }),
      'POST',
      'http://h:1/p/api/disconnect',
    ],
  ])('%s builds %s %s', async (_name, call, method, url) => {
    const { fetch, calls } = fakeFetch(200, {});
    const api = new ServerClient({ url: 'http://h:1/p', apiKey: 'k', org: 'acme', fetch });
    await call(api);
    expect(calls[0]?.method).toBe(method);
    expect(calls[0]?.url).toBe(url);
  });

  it('throws HubcastError with the body code and the index detail', async () => {
    const { fetch } = fakeFetch(400, {
      error: { code: 'bad_request', message: "item 1: 'channel' is required", index: 1 },
    });
    const api = new ServerClient({ url: 'http://h:1', apiKey: 'k-secret', fetch });
    const error = await api
      .publish([
        { channel: 'a', data: 1 },
        { channel: '', data: 2 },
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubcastError);
    const e = error as HubcastError;
    expect(e.code).toBe('bad_request');
    expect(e.details).toEqual({ status: 400, index: 1 });
    expect(e.message).not.toContain('k-secret');
  });

  it.each([
    [403, 'forbidden'],
    [413, 'too_large'],
    [503, 'unavailable'],
    [500, 'internal'],
    [418, 'bad_request'],
  ])('maps status %s without a JSON body to %s', async (status, code) => {
    const fetch: FetchLike = () =>
      Promise.resolve({ ok: false, status, text: () => Promise.resolve('<html>') });
    const api = new ServerClient({ url: 'http://h:1', apiKey: 'k', fetch });
    await expect(api.stats()).rejects.toMatchObject({ code, details: { status } });
  });

  it.each([
    ['publish (auto key)', (api: ServerClient) => api.publish({ channel: 'a', data: 1 }), 2],
    ['history', (api: ServerClient) => api.history({ channel: 'a' }), 2],
    ['disconnect (not idempotent)', (api: ServerClient) => api.disconnect({ user: 'u' }), 1],
  ])('%s is tried %s time(s) on a network failure', async (_name, call, tries) => {
    const bodies: unknown[] = [];
    let n = 0;
    const fetch: FetchLike = (_url, init) => {
      bodies.push(init.body);
      return ++n === 1
        ? Promise.reject(new Error('other side closed'))
        : Promise.resolve({ ok: true, status: 200, text: () => Promise.resolve('{}') });
    };
    const api = new ServerClient({ url: 'http://h:1', apiKey: 'k', fetch });
    const outcome = await call(api).then(
      () => 'ok',
      (e: unknown) => (e as HubcastError).code,
    );
    expect(outcome).toBe(tries === 2 ? 'ok' : 'unavailable');
    expect(bodies).toHaveLength(tries);
    expect(new Set(bodies).size).toBe(1); // the retry sends the same key
  });

  it('reports a network failure as unavailable', async () => {
    const fetch: FetchLike = () => Promise.reject(new Error('ECONNREFUSED'));
    const api = new ServerClient({ url: 'http://h:1', apiKey: 'k', fetch });
    await expect(api.stats()).rejects.toMatchObject({ code: 'unavailable' });
  });
});
