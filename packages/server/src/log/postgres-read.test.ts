import fc from 'fast-check';
import { Client } from 'pg';
import { matchPattern } from '@hubcast/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../../test/helpers/postgres.js';
import { PostgresEventLog } from './postgres.js';
import { scanQuery } from './postgres-read.js';
import { postgresPatternPredicate } from './sql-pattern.js';

let server: PostgresServer;
let url: string;
let log: PostgresEventLog;
let sql: Client;
beforeAll(async () => {
  server = await startPostgres();
  url = await server.createDatabase();
  log = await PostgresEventLog.open({ url, historySize: 60_000, historyTtlSeconds: 3600 });
  sql = new Client({ connectionString: url });
  await sql.connect();
});
afterAll(async () => {
  await sql?.end();
  await log?.close();
  await server?.stop();
});

/** The scan node of an EXPLAIN ANALYZE plan: the rows it read, kept or not. */
interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

function scanNode(node: PlanNode): PlanNode {
  if (node['Node Type'].includes('Scan')) return node;
  const child = node.Plans?.[0];
  if (child === undefined) throw new Error(`no scan in ${JSON.stringify(node)}`);
  return scanNode(child);
}

describe('PostgresEventLog reads', () => {
  it('examines at most maxScan rows for a pattern that matches nothing, and pages to the end', async () => {
    for (let i = 0; i < 50; i++) {
      await log.append(
        'acme',
        Array.from({ length: 1000 }, (_, j) => ({ channel: 'a.x', data: i * 1000 + j })),
      );
    }
    await log.append('acme', [{ channel: 'b.y', data: 'last' }]); // seq 50,001
    const range = { from: 'oldest', limit: 100, patterns: ['b.>'], maxScan: 10_000 } as const;
    expect(await log.read('acme', range)).toEqual({ events: [], more: true, scannedTo: 10_000 });

    // What the database did for that page: one range scan on the key, 10,000 rows read.
    const { text, values } = scanQuery('acme', range, 1, 10_000, 101);
    const { rows } = await sql.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${text}`,
      values,
    );
    const scan = scanNode((rows[0]?.['QUERY PLAN'][0] as { Plan: PlanNode }).Plan);
    expect(scan['Index Name']).toBe('log_events_pkey');
    expect(scan['Actual Rows']).toBe(0);
    expect(scan['Rows Removed by Filter']).toBe(10_000);

    const scanned: number[] = [];
    let page = await log.read('acme', range);
    while (page.more) {
      scanned.push(page.scannedTo ?? -1);
      page = await log.read('acme', { ...range, afterSeq: page.scannedTo ?? -1 });
    }
    expect(scanned).toEqual([10_000, 20_000, 30_000, 40_000, 50_000]);
    expect(page.events.map((e) => [e.seq, e.channel])).toEqual([[50_001, 'b.y']]);
  });

  // Few distinct segments, so that patterns and channels meet often; `NULL` must stay a name.
  const segment = fc.constantFrom('a', 'b', 'ab', 'a_b', 'aXb', 'A', 'x-y', 'k:@=+', 'NULL');
  const channel = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join('.'));
  const pattern = fc
    .tuple(fc.array(fc.oneof(segment, fc.constant('*')), { maxLength: 4 }), fc.boolean())
    .filter(([segments, tail]) => segments.length > 0 || tail)
    .map(([segments, tail]) => [...segments, ...(tail ? ['>'] : [])].join('.'));

  it('keeps exactly what matchPattern keeps, in the database', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(pattern, { maxLength: 3 }),
        fc.array(channel, { minLength: 1, maxLength: 30 }),
        async (patterns, channels) => {
          const { sql: where, params } = postgresPatternPredicate(patterns, 2);
          const { rows } = await sql.query<{ channel: string }>(
            `SELECT channel FROM unnest($1::text[]) WITH ORDINALITY AS t (channel, n)
             WHERE ${where} ORDER BY n`,
            [channels, ...params],
          );
          expect(rows.map((r) => r.channel)).toEqual(
            channels.filter((c) => patterns.some((p) => matchPattern(p, c))),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
