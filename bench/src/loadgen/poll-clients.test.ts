import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { markSeen, Poller, readInt } from './poll-clients.js';
import { nowMs } from './payload.js';

describe('markSeen', () => {
  it.each([
    [0, 3, [1, 1, 1, 0]],
    [2, 3, [0, 0, 1, 0]],
    [3, 9, [0, 0, 0, 1]], // past the book's end: clipped
    [2, 2, [0, 0, 0, 0]], // nothing new
  ])('versions (%d, %d] of 4', (from, to, marked) => {
    const book = { seen: new Float64Array(4), duplicated: 0 };
    markSeen(book, from, to, 1);
    expect([...book.seen]).toEqual(marked);
  });

  it('keeps the first time a version was seen', () => {
    const book = { seen: new Float64Array(2), duplicated: 0 };
    expect(markSeen(book, 0, 1, 10)).toBe(1);
    expect(markSeen(book, 0, 2, 20)).toBe(1);
    expect([...book.seen]).toEqual([10, 20]);
  });
});

describe('readInt', () => {
  it.each([
    ['{"version":42,', 11, 42],
    ['content-length: 7\r\n', 16, 7],
    ['{"version":x', 11, Number.NaN],
  ])('%j at %d is %d', (text, at, n) => {
    expect(readInt(text, at)).toBe(n);
  });
});

describe('Poller', () => {
  let server: Server | undefined;
  let poller: Poller | undefined;
  afterEach(async () => {
    poller?.stop();
    server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      server === undefined ? resolve() : server.close(() => resolve()),
    );
  });

  /** A REST server whose every request is handed to `onRequest` with its `since`. */
  async function rest(onRequest: (since: number, res: ServerResponse) => void): Promise<number> {
    server = createServer((req, res) => {
      const since = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('since'));
      onRequest(since, res);
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }
  const answer = (res: ServerResponse, version: number): void => {
    const body = `{"version":${version},"items":[]}`;
    res.writeHead(200, { 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  it('asks since the newest version it has, and marks every change up to it seen', async () => {
    const asked: number[] = [];
    const third = new Promise<void>((resolve) => {
      void rest((since, res) => {
        asked.push(since);
        answer(res, since === 0 ? 3 : 5);
        if (asked.length === 3) resolve();
      }).then(async (port) => {
        poller = new Poller('127.0.0.1', port, 6);
        await poller.open();
        poller.start(nowMs(), 20);
      });
    });
    await third;
    expect(asked).toEqual([0, 3, 5]);
    const seen = [...(poller?.seen ?? [])];
    expect(seen.slice(0, 5).every((t) => t > 0)).toBe(true);
    expect(seen[5]).toBe(0);
    expect(seen[0]).toBe(seen[2]); // versions 1-3 came in one answer
    expect(poller?.errors).toBe(0);
  });

  it('sends a poll that came due while the previous one was out as soon as it is answered', async () => {
    let held: ServerResponse | undefined;
    const asked: number[] = [];
    const port = await rest((since, res) => {
      asked.push(since);
      if (asked.length === 1)
        held = res; // the first answer waits
      else answer(res, 1);
    });
    const p = new Poller('127.0.0.1', port, 2);
    poller = p;
    await p.open();
    p.start(nowMs(), 50);
    // The second poll comes due while the first is out; then the first is answered.
    while (p.late === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(p.requests).toBe(1);
    answer(held as ServerResponse, 0);
    while (p.responses === 0) await new Promise((resolve) => setImmediate(resolve));
    // Sent while that answer was read, not at the next tick: late, not skipped.
    expect(p.requests).toBe(2);
  });

  it('counts an answer that is not 200 as an error', async () => {
    let asked: () => void = () => {};
    const once = new Promise<void>((resolve) => (asked = resolve));
    const port = await rest((_since, res) => {
      res.writeHead(500, { 'content-length': 2 });
      res.end('{}');
      asked();
    });
    poller = new Poller('127.0.0.1', port, 1);
    await poller.open();
    poller.start(nowMs(), 1000);
    await once;
    while (poller.responses === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(poller.errors).toBe(1);
    expect(poller.seen[0]).toBe(0);
  });
});
