// The chat store's two read paths that grow with data (docs/chat.md "Scale"): `search` in a
// room of 100,000 messages, and `roomsOf` (the room list with unread counts) for a user in 200
// rooms, on SQLite and on a local PostgreSQL 15. Messages are bulk-inserted with SQL (sending
// them one by one would take minutes), so the search index is filled the way the migration and
// its triggers fill it. Prints the median and p95 of each call.
//   npx tsc -b && node bench/micro/chat-store-queries.mjs [messages] [rounds]
import { spawn } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import pg from 'pg';
import { SqliteStore } from '../../packages/server/dist/store/sqlite.js';
import { PostgresStore } from '../../packages/server/dist/store/postgres.js';

const messageCount = Number(process.argv[2] ?? 100_000);
const rounds = Number(process.argv[3] ?? 21);
const ROOMS = 200;
const PG_BIN = process.env.HUBCAST_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const ORG = 'acme';
const WORDS = ['deploy', 'lunch', 'review', 'merge', 'build', 'coffee', 'meeting', 'ticket'];

// Message i of the big room: two common words, a number, and a word found in 1 of 5,000.
const TEXT_SQL = (i) =>
  `'Message ' || ${i} || ' about the ' || (CASE ${i} % 8 ${WORDS.map((w, k) => `WHEN ${k} THEN '${w}'`).join(' ')} END)
   || ' and the ' || (CASE (${i} / 8) % 8 ${WORDS.map((w, k) => `WHEN ${k} THEN '${w}'`).join(' ')} END)
   || (CASE WHEN ${i} % 5000 = 7 THEN ' zanzibar' ELSE '' END)`;

const QUERIES = [
  ['rare word (20 hits)', 'Zanzibar'],
  ['common word', 'deploy'],
  ['no hit', 'quokka'],
  ['one letter, no hit (no trigram: read row by row)', 'q'],
];

async function time(call) {
  await call();
  const times = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    await call();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(times.length * q))].toFixed(2);
  return `median ${at(0.5)} ms, p95 ${at(0.95)} ms`;
}

/**
 * Each call through the store, and `old` (the queries before the index, run on a connection of
 * the bench's own) alongside it, so both are timed under the same load.
 */
async function measure(name, store, old) {
  const chat = store.chat;
  for (const [label, text] of QUERIES) {
    const page = await chat.search(ORG, 'big', 'u0', text, { limit: 50 });
    const before = (await old.search(text.toLowerCase())).length;
    const figures = await time(() => chat.search(ORG, 'big', 'u0', text, { limit: 50 }));
    const oldFigures = await time(() => old.search(text.toLowerCase()));
    console.log(`${name} search ${label}: ${page.messages.length} found; ${figures}`);
    console.log(`${name}   before: ${before} found; ${oldFigures}`);
  }
  const rooms = await chat.roomsOf(ORG, 'u0');
  const unread = rooms.reduce((n, r) => n + r.unread, 0);
  console.log(
    `${name} roomsOf (${rooms.length} rooms, ${unread} unread): ${await time(() => chat.roomsOf(ORG, 'u0'))}`,
  );
  // Before, no unread index either: a count read the message rows.
  await old.exec('DROP INDEX chat_messages_unread');
  console.log(`${name}   before: ${await time(() => old.roomsOf())}`);
}

const OLD_SEARCH_SQLITE = `SELECT * FROM chat_messages WHERE org = ? AND room = ? AND id < ?
  AND deleted_at IS NULL AND instr(lower(text), ?) > 0 ORDER BY id DESC LIMIT 51`;
const OLD_SEARCH_PG = `SELECT * FROM chat_messages WHERE org = $1 AND room = $2 AND id < $3
  AND deleted_at IS NULL AND strpos(translate(text, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  'abcdefghijklmnopqrstuvwxyz'), $4) > 0 ORDER BY id DESC LIMIT 51`;
const OLD_ROOMS = `SELECT room, last_read FROM chat_members WHERE org = $1 AND user_id = $2
  ORDER BY room`;
const OLD_UNREAD = `SELECT count(*) AS n FROM chat_messages
  WHERE org = $1 AND room = $2 AND id > $3 AND user_id <> $4 AND deleted_at IS NULL`;

function oldSqlite(db) {
  const search = db.prepare(OLD_SEARCH_SQLITE);
  const rooms = db.prepare(OLD_ROOMS.replace(/\$\d/g, '?'));
  const unread = db.prepare(OLD_UNREAD.replace(/\$\d/g, '?'));
  return {
    exec: async (sql) => db.exec(sql),
    search: async (needle) => search.all(ORG, 'big', Number.MAX_SAFE_INTEGER, needle),
    roomsOf: async () =>
      rooms.all(ORG, 'u0').map((r) => unread.get(ORG, r.room, r.last_read ?? 0, 'u0').n),
  };
}

function oldPostgres(db) {
  return {
    exec: (sql) => db.query(sql),
    search: async (needle) =>
      (await db.query(OLD_SEARCH_PG, [ORG, 'big', Number.MAX_SAFE_INTEGER, needle])).rows,
    roomsOf: async () => {
      const counts = [];
      for (const r of (await db.query(OLD_ROOMS, [ORG, 'u0'])).rows)
        counts.push((await db.query(OLD_UNREAD, [ORG, r.room, r.last_read ?? 0, 'u0'])).rows[0].n);
      return counts;
    },
  };
}

/** The rooms: `big` with the messages, and ROOMS - 1 small ones of 50 messages each. */
async function createRooms(chat) {
  await chat.createRoom(ORG, { room: 'big', owner: 'u0', members: ['u1'] });
  for (let r = 1; r < ROOMS; r++)
    await chat.createRoom(ORG, { room: `room${r}`, owner: 'u0', members: ['u1'] });
}

async function sqlite() {
  const dir = mkdtempSync(join(tmpdir(), 'hubcast-chat-bench-'));
  const path = join(dir, 'store.db');
  try {
    const store = await SqliteStore.open({ path });
    await createRooms(store.chat);
    const db = new Database(path);
    db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${messageCount})
      INSERT INTO chat_messages (org, id, room, user_id, text, created_at)
      SELECT '${ORG}', i, 'big', 'u' || (i % 2), ${TEXT_SQL('i')}, i FROM n`);
    db.exec(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${(ROOMS - 1) * 50 - 1})
      INSERT INTO chat_messages (org, id, room, user_id, text, created_at)
      SELECT '${ORG}', ${messageCount} + 1 + i, 'room' || (1 + i / 50), 'u1', 'hello ' || i, i FROM n`);
    db.exec(`UPDATE chat_counters SET last_id = ${messageCount + ROOMS * 50}; ANALYZE`);
    await measure('sqlite', store, oldSqlite(db));
    db.close();
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

function run(tool, args, account, cwd, until) {
  return new Promise((resolve, reject) => {
    const child = spawn(join(PG_BIN, tool), args, {
      cwd,
      env: { PATH: process.env.PATH, LC_ALL: 'C', TZ: 'UTC' },
      ...account,
    });
    let out = '';
    const seen = (chunk) => {
      out += chunk;
      if (until !== undefined && out.includes(until)) resolve(child);
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.once('exit', (code) =>
      code === 0 && until === undefined ? resolve(child) : reject(new Error(`${tool}: ${out}`)),
    );
  });
}

async function postgres() {
  let account;
  if (process.getuid() === 0) {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('postgres:'));
    account = { uid: Number(line.split(':')[2]), gid: Number(line.split(':')[3]) };
  }
  const dir = mkdtempSync(join(tmpdir(), 'hubcast-chat-bench-pg-'));
  if (account !== undefined) chownSync(dir, account.uid, account.gid);
  const data = join(dir, 'data');
  const port = await freePort();
  await run(
    'initdb',
    ['-D', data, '-U', 'postgres', '-A', 'trust', '--locale=C', '-E', 'UTF8'],
    account,
    dir,
  );
  const server = await run(
    'postgres',
    ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=off'],
    account,
    dir,
    'ready to accept connections',
  );
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  try {
    const store = await PostgresStore.open({ url, queryTimeoutMs: 60_000 });
    await createRooms(store.chat);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    await db.query(`INSERT INTO chat_messages (org, id, room, user_id, text, created_at)
      SELECT '${ORG}', i, 'big', 'u' || (i % 2), ${TEXT_SQL('i')}, i
      FROM generate_series(1, ${messageCount}) AS i`);
    await db.query(`INSERT INTO chat_messages (org, id, room, user_id, text, created_at)
      SELECT '${ORG}', ${messageCount} + 1 + i, 'room' || (1 + i / 50), 'u1', 'hello ' || i, i
      FROM generate_series(0, ${(ROOMS - 1) * 50 - 1}) AS i`);
    await db.query(`UPDATE chat_counters SET last_id = ${messageCount + ROOMS * 50}`);
    await db.query('VACUUM ANALYZE');
    if (process.env.BENCH_EXPLAIN === '1') await explain(db);
    await measure('postgres', store, oldPostgres(db));
    await db.end();
    await store.close();
  } finally {
    server.kill('SIGINT');
    await new Promise((done) => server.once('exit', done));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The plans of the search queries (BENCH_EXPLAIN=1), to see which index each one takes. */
async function explain(db) {
  const { SEARCH_FLOOR, SEARCH_SCAN, SEARCH_INDEXED } =
    await import('../../packages/server/dist/store/chat-postgres-sql.js');
  const hi = Number.MAX_SAFE_INTEGER;
  const floor = (await db.query(SEARCH_FLOOR, [ORG, 'big', hi])).rows[0].id;
  for (const [sql, params] of [
    [SEARCH_FLOOR, [ORG, 'big', hi]],
    [SEARCH_SCAN, [ORG, 'big', floor, hi, 'deploy', 51]],
    [SEARCH_SCAN, [ORG, 'big', floor, hi, 'zanzibar', 51]],
    [SEARCH_INDEXED, [ORG, 'big', floor, '%zanzibar%', 51]],
    [SEARCH_INDEXED, [ORG, 'big', floor, '%deploy%', 51]],
  ]) {
    const { rows } = await db.query(`EXPLAIN ANALYZE ${sql}`, params);
    console.log(rows.map((r) => r['QUERY PLAN']).join('\n'));
  }
}

if (process.env.BENCH_ONLY !== 'postgres') await sqlite();
if (process.env.BENCH_ONLY !== 'sqlite') await postgres();
