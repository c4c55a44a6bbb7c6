/**
 * The SQL of the PostgreSQL event log (log/postgres.ts): one group commit, the retention floor
 * and the row ↔ event mapping. Every statement takes whole arrays (`unnest`), so a group costs
 * the same few round trips whether it holds one org or a hundred.
 */
import type { QueryResultRow } from 'pg';
import type { AppendInput, AppendResult, LogEvent } from './log.js';
import { encodeCursor, orgEpoch } from './cursor.js';
import { eventIdOf, newEvent } from './event.js';

/** A pool client inside a transaction, or the writer's own connection. */
export interface Queryable {
  query<R extends QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

export interface Retention {
  historySize: number;
  historyTtlSeconds: number;
}

/** What the log caches per org: the newest committed seq and its clock. */
export interface OrgHead {
  head: number;
  /** The latest time this org's log has seen (Unix ms): `ts` never goes back in seq order. */
  lastTsMs: number;
}

/** One `append` call waiting for its group. */
export interface PendingAppend {
  org: string;
  items: readonly AppendInput[];
  /** Each item's data as JSON text (`serializeData`). */
  json: readonly string[];
  /** The receive time, Unix ms, read when `append` was called. */
  receivedMs: number;
  resolve: (results: AppendResult[]) => void;
  reject: (err: Error) => void;
}

export interface GroupOutcome {
  /** Per pending append, in order. */
  results: AppendResult[][];
  /** The new head of every org the group wrote to. */
  heads: Map<string, OrgHead>;
}

/** Another writer moved an org's head under us: the cached heads must be read again. */
export class StaleHeadError extends Error {
  constructor() {
    super('another writer moved the event log; reloading its heads');
    this.name = 'StaleHeadError';
  }
}

export interface EventRow {
  org: string;
  seq: string;
  channel: string;
  data: string;
  ts: string;
  from_user: string | null;
}

/** An org while its group is written: `head` as cached, `next` the next seq to hand out. */
interface OrgState extends OrgHead {
  /** This commit's clock for the org. */
  nowMs: number;
  next: number;
  epoch: string;
}

const EVENT_COLUMNS = 'e.org, e.seq, e.channel, e.data, e.ts, e.from_user';

/**
 * The smallest retained seq per org at its `nowMs` (head + 1 when nothing is retained): the
 * newest `historySize` events that are younger than the TTL, exactly as the SQLite log counts.
 */
export async function floorsOf(
  db: Queryable,
  orgs: ReadonlyMap<string, { head: number; nowMs: number }>,
  retention: Retention,
): Promise<Map<string, number>> {
  const floors = new Map<string, number>();
  const ask: [org: string, lo: number, cutoffMs: number][] = [];
  for (const [org, { head, nowMs }] of orgs) {
    const sizeFloor = Math.max(1, head - retention.historySize + 1);
    floors.set(org, head + 1);
    if (sizeFloor <= head) ask.push([org, sizeFloor, nowMs - retention.historyTtlSeconds * 1000]);
  }
  if (ask.length === 0) return floors;
  const { rows } = await db.query<{ org: string; seq: string | null }>(
    `SELECT o.org, (SELECT e.seq FROM log_events e
                    WHERE e.org = o.org AND e.seq >= o.lo AND e.ts >= o.cutoff
                    ORDER BY e.seq LIMIT 1) AS seq
     FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS o (org, lo, cutoff)`,
    [ask.map(([org]) => org), ask.map(([, lo]) => lo), ask.map(([, , cutoff]) => cutoff)],
  );
  for (const row of rows) if (row.seq !== null) floors.set(row.org, Number(row.seq));
  return floors;
}

/**
 * Writes one group inside the caller's transaction: looks up its idempotency keys (a key counts
 * while its event is retained), hands out seqs from the cached heads, moves the heads (refusing
 * if another writer moved them first), deletes what fell out of retention and inserts the rest.
 * Changes nothing in memory: the caller adopts `heads` once COMMIT succeeded.
 */
export async function writeGroup(
  db: Queryable,
  group: readonly PendingAppend[],
  cached: ReadonlyMap<string, OrgHead>,
  nowMs: number,
  retention: Retention,
  logEpoch: string,
): Promise<GroupOutcome> {
  const state = new Map<string, OrgState>();
  const wanted: [org: string, key: string][] = [];
  for (const { org, items } of group) {
    if (!state.has(org)) {
      const { head, lastTsMs } = cached.get(org) ?? { head: 0, lastTsMs: 0 };
      // The org's clock never goes back, as in the SQLite log: a key once seen expired stays so.
      const orgNowMs = Math.max(nowMs, lastTsMs);
      state.set(org, {
        head,
        nowMs: orgNowMs,
        lastTsMs,
        next: head + 1,
        epoch: orgEpoch(logEpoch, org),
      });
    }
    for (const { key } of items) if (key !== undefined) wanted.push([org, key]);
  }
  const floors = await floorsOf(db, state, retention);

  // Keys already in the log, still retained: their first event answers again.
  const known = new Map<string, LogEvent>();
  if (wanted.length > 0) {
    const { rows } = await db.query<EventRow & { idem_key: string }>(
      `SELECT ${EVENT_COLUMNS}, e.idem_key FROM log_events e
       JOIN unnest($1::text[], $2::text[]) AS k (org, idem_key)
         ON e.org = k.org AND e.idem_key = k.idem_key
       WHERE e.idem_key IS NOT NULL`,
      [wanted.map(([org]) => org), wanted.map(([, key]) => encodeText(key))],
    );
    for (const row of rows) {
      const st = state.get(row.org);
      if (st !== undefined && Number(row.seq) >= (floors.get(row.org) ?? Infinity))
        known.set(keyId(row.org, decodeText(row.idem_key)), toEvent(row, st.epoch));
    }
  }

  const inserts: { event: LogEvent; key: string | undefined }[] = [];
  const results = group.map(({ org, items, json, receivedMs }) => {
    const st = state.get(org) as OrgState;
    return items.map((item, i): AppendResult => {
      const id = item.key === undefined ? undefined : keyId(org, item.key);
      const prior = id === undefined ? undefined : known.get(id);
      if (prior !== undefined) return { event: prior, duplicate: true };
      st.lastTsMs = Math.max(st.lastTsMs, receivedMs);
      const seq = st.next++;
      const event = newEvent(org, st.epoch, seq, item, st.lastTsMs, json[i] as string);
      if (id !== undefined) known.set(id, event);
      inserts.push({ event, key: item.key });
      return { event, duplicate: false };
    });
  });

  const heads = new Map<string, OrgHead>();
  const moved: { org: string; old: number; head: number }[] = [];
  for (const [org, st] of state) {
    heads.set(org, { head: st.next - 1, lastTsMs: Math.max(st.lastTsMs, st.nowMs) });
    if (st.next - 1 > st.head) moved.push({ org, old: st.head, head: st.next - 1 });
  }
  if (moved.length > 0) await moveHeads(db, moved);

  // Rows below the retention floor go first, so a key they held can be taken again; then
  // what the new events push out of the newest `historySize`.
  const below = [...state].map(([org, st]): [org: string, seq: number] => [
    org,
    Math.max(floors.get(org) ?? 1, st.next - retention.historySize),
  ]);
  await db.query(
    `DELETE FROM log_events e USING unnest($1::text[], $2::bigint[]) AS b (org, below)
     WHERE e.org = b.org AND e.seq < b.below`,
    [below.map(([org]) => org), below.map(([, seq]) => seq)],
  );
  const belowOf = new Map(below);
  const kept = inserts.filter(({ event }) => event.seq >= (belowOf.get(event.org) ?? 1));
  if (kept.length > 0) {
    await db.query(
      `INSERT INTO log_events (org, seq, channel, data, ts, from_user, idem_key)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[],
                            $6::text[], $7::text[])`,
      [
        kept.map(({ event }) => event.org),
        kept.map(({ event }) => event.seq),
        kept.map(({ event }) => event.channel),
        kept.map(({ event }) => event.dataJson),
        kept.map(({ event }) => event.tsMs),
        kept.map(({ event }) => (event.from === undefined ? null : encodeText(event.from))),
        kept.map(({ key }) => (key === undefined ? null : encodeText(key))),
      ],
    );
  }
  return { results, heads };
}

/**
 * Moves the heads, each only from the value this log cached. Another writer that moved one
 * first (the lock was lost and taken over) leaves it unmatched, and the group fails instead of
 * handing out seqs twice. The row locks taken here also order two such writers' commits.
 */
async function moveHeads(
  db: Queryable,
  moved: readonly { org: string; old: number; head: number }[],
): Promise<void> {
  const { rowCount } = await db.query(
    `WITH v AS (SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS v (org, old, head))
     INSERT INTO log_orgs (org, head) SELECT org, head FROM v
     ON CONFLICT (org) DO UPDATE SET head = excluded.head
       WHERE log_orgs.head = (SELECT old FROM v WHERE v.org = excluded.org)`,
    [moved.map((m) => m.org), moved.map((m) => m.old), moved.map((m) => m.head)],
  );
  if (rowCount !== moved.length) throw new StaleHeadError();
}

export function toEvent(row: EventRow, epoch: string): LogEvent {
  const seq = Number(row.seq);
  return {
    org: row.org,
    seq,
    eventId: eventIdOf(epoch, seq),
    channel: row.channel,
    dataJson: row.data,
    tsMs: Number(row.ts),
    cursor: encodeCursor(epoch, seq),
    ...(row.from_user === null ? {} : { from: decodeText(row.from_user) }),
  };
}

const keyId = (org: string, key: string): string => `${org}\0${key}`;

/**
 * PostgreSQL text cannot hold U+0000, which a key or a user id may: escape it (and the escape
 * character) reversibly, so one such item cannot fail a whole group.
 */
export function encodeText(text: string): string {
  return /[\0\\]/.test(text) ? text.replace(/\\/g, '\\\\').replace(/\0/g, '\\0') : text;
}

export function decodeText(text: string): string {
  return text.includes('\\')
    ? text.replace(/\\(\\|0)/g, (_, c: string) => (c === '0' ? '\0' : '\\'))
    : text;
}
