import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SqliteEventLog, type SqliteDatabase } from './sqlite.js';
import { scanSql } from './sqlite-read.js';

const dir = mkdtempSync(join(tmpdir(), 'hubcast-sqlite-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

describe('SqliteEventLog reads', () => {
  let log: SqliteEventLog | undefined;
  let db: SqliteDatabase | undefined;
  afterEach(async () => {
    await log?.close();
    log = undefined;
  });
  const open = (historySize: number): SqliteEventLog => {
    log = new SqliteEventLog({
      path: join(dir, `log-${++files}.db`),
      historySize,
      historyTtlSeconds: 3600,
      onOpen: (conn) => (db = conn),
    });
    return log;
  };

  it.each([
    ['oldest', undefined],
    ['newest', undefined],
    ['oldest', ['b.>', 'a.*.c', 'x.y']],
    ['newest', ['>']],
  ] as const)(
    'scans a %s window with patterns %j on the covering index, seq bounded both ways',
    (from, patterns) => {
      open(10);
      const { sql, params } = scanSql({ from, ...(patterns === undefined ? {} : { patterns }) });
      const plan = db
        ?.prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
        .all('acme', 1, 10, ...params)
        .map((row) => row.detail);
      expect(plan).toEqual([
        'SEARCH events USING COVERING INDEX events_scan (org=? AND seq>? AND seq<?)',
      ]);
    },
  );

  it('stops a pattern that matches nothing at maxScan rows of 50,000, and pages to the end', async () => {
    const log = open(60_000);
    for (let i = 0; i < 50; i++) {
      await log.append(
        'acme',
        Array.from({ length: 1000 }, (_, j) => ({ channel: 'a.x', data: i * 1000 + j })),
      );
    }
    await log.append('acme', [{ channel: 'b.y', data: 'last' }]); // seq 50,001
    const range = { from: 'oldest', limit: 100, patterns: ['b.>'], maxScan: 10_000 } as const;
    const first = await log.read('acme', range);
    expect(first).toEqual({ events: [], more: true, scannedTo: 10_000 });
    const scanned: number[] = [];
    let page = first;
    while (page.more) {
      scanned.push(page.scannedTo ?? -1);
      page = await log.read('acme', { ...range, afterSeq: page.scannedTo ?? -1 });
    }
    expect(scanned).toEqual([10_000, 20_000, 30_000, 40_000, 50_000]);
    expect(page.events.map((e) => [e.seq, e.channel])).toEqual([[50_001, 'b.y']]);
  });
});
