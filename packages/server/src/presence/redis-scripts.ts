/**
 * The Redis layout of `RedisPresence` and the Lua scripts that change it atomically.
 *
 * Per org, all under the hash tag `{org}` so one tenant's keys share a Redis Cluster slot:
 *   `<p>:{org}:presence:<channel>`        hash `<node>|<session>` → entry (`json\nuser`)
 *   `<p>:{org}:presence-users:<channel>`  hash user → connections, for first/last per user
 *   `<p>:{org}:presence-order:<channel>`  zset `user\n<node>|<session>` (all scores 0): the
 *                                         entries in user id order, so a page of members is
 *                                         read without reading them all (`PAGE`)
 *   `<p>:{org}:presence-node:<node>`      set of that node's entries in the org (`channel`,
 *                                         `session`, length-prefixed): what its reaper removes
 * Per cluster, under `{presence}`, so the claim script touches one slot:
 *   `<p>:{presence}:nodes`      zset node → deadline (ms, Redis clock): alive while not past
 *   `<p>:{presence}:reaping`    zset dead node → reaper's lease deadline
 *   `<p>:{presence}:orgs:<node>` set of orgs the node has entries in
 *
 * `<node>` is an incarnation (`nodeId~random`), not the bare node id: a node restarted under
 * the same id must not adopt the entries its crashed predecessor left.
 *
 * Deadlines use Redis's `TIME`, not each node's clock, so clock skew between nodes cannot make
 * one declare another dead. Empty hashes and sets vanish by themselves in Redis.
 */
import { createHash } from 'node:crypto';
import type { JsonValue } from '@hubcast/protocol';
import type { Redis } from 'ioredis';
import type { PresenceEntry } from './presence.js';

export interface Script {
  readonly lua: string;
  readonly sha: string;
}

/** Reads Redis's clock: scripts may, since effects replication (Redis 5, the only mode in 7). */
const NOW_MS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** Lua helpers: the user of an entry, and an index member split into channel and session. */
const HELPERS = `
local function userOf(entry)
  return string.sub(entry, string.find(entry, '\\n', 1, true) + 1)
end
local function orderMember(field, entry)
  return userOf(entry) .. '\\n' .. field
end
local function splitMember(member)
  local colon = string.find(member, ':', 1, true)
  local length = tonumber(string.sub(member, 1, colon - 1))
  return string.sub(member, colon + 1, colon + length), string.sub(member, colon + length + 1)
end
`;

const script = (lua: string): Script => ({
  lua,
  sha: createHash('sha1').update(lua).digest('hex'),
});

/**
 * KEYS entries, users, index, order; ARGV field, entry, user, member, ordered → 1 if the
 * user's first here. A session added again replaces its entry and is not counted again (HSET
 * answers 0). `ordered` '0' keeps the entry out of the order zset (see `isPaged`).
 */
export const ADD = script(`
if redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('SADD', KEYS[3], ARGV[4])
if ARGV[5] == '1' then redis.call('ZADD', KEYS[4], 0, ARGV[3] .. '\\n' .. ARGV[1]) end
if redis.call('HINCRBY', KEYS[2], ARGV[3], 1) == 1 then return 1 end
return 0
`);

/**
 * KEYS entries, users, index, order; ARGV field, member → nil if unknown, else
 * {user, 1 if last}.
 */
export const REMOVE = script(`${HELPERS}
local entry = redis.call('HGET', KEYS[1], ARGV[1])
if not entry then return false end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[2])
redis.call('ZREM', KEYS[4], orderMember(ARGV[1], entry))
local user = userOf(entry)
if redis.call('HINCRBY', KEYS[2], user, -1) > 0 then return {user, 0} end
redis.call('HDEL', KEYS[2], user)
return {user, 1}
`);

/**
 * KEYS entries; ARGV field, entry, user → 1 if the session's entry was there (and is now this
 * one), 0 if not (nothing written). Only an entry of the same user is replaced, so counts and
 * the order zset stay right.
 */
export const UPDATE = script(`${HELPERS}
local held = redis.call('HGET', KEYS[1], ARGV[1])
if not held or userOf(held) ~= ARGV[3] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`);

/**
 * KEYS entries, users, order; ARGV limit, then the live nodes → {count, entry, entry, ...}:
 * the entries on live nodes of the first `limit` users by id, walking the order zset in
 * chunks, so a page of a channel of 10,000 members reads about a page. `count` is the
 * number of users with a live entry when the walk reached the end, else every user counted
 * (those of a dead node not reaped yet included).
 *
 * An order zset that does not match the entries (written by a node from before it existed,
 * during a rolling upgrade) is rebuilt first, once; a member whose entry is gone is dropped.
 */
export const PAGE = script(`${HELPERS}
if redis.call('ZCARD', KEYS[3]) ~= redis.call('HLEN', KEYS[1]) then
  redis.call('DEL', KEYS[3])
  local all = redis.call('HGETALL', KEYS[1])
  for i = 1, #all, 2 do redis.call('ZADD', KEYS[3], 0, orderMember(all[i], all[i + 1])) end
end
local limit = tonumber(ARGV[1])
local live = {}
for i = 2, #ARGV do live[ARGV[i]] = true end
local reply = {0}
local users = 0
local last = nil
local from = '-'
local chunk = 256
while true do
  local batch = redis.call('ZRANGEBYLEX', KEYS[3], from, '+', 'LIMIT', 0, chunk)
  for _, member in ipairs(batch) do
    local newline = string.find(member, '\\n', 1, true)
    local user = string.sub(member, 1, newline - 1)
    if user ~= last and users >= limit then
      reply[1] = redis.call('HLEN', KEYS[2])
      return reply
    end
    local field = string.sub(member, newline + 1)
    local entry = redis.call('HGET', KEYS[1], field)
    if not entry then
      redis.call('ZREM', KEYS[3], member)
    elseif live[string.sub(field, 1, string.find(field, '|', 1, true) - 1)] then
      if user ~= last then
        users = users + 1
        last = user
      end
      table.insert(reply, entry)
    end
  end
  if #batch < chunk then break end
  from = '(' .. batch[#batch]
end
reply[1] = users
return reply
`);

/**
 * KEYS nodes; ARGV node, ttlMs, mustExist → 0 if the node was declared dead meanwhile (it
 * then stays out: its entries are being or were reaped), else 1 with its deadline pushed on.
 */
export const BEAT = script(`${NOW_MS}
if ARGV[3] == '1' and not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return 1
`);

/** KEYS nodes → the nodes whose deadline has not passed. */
export const LIVE = script(`${NOW_MS}
return redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')
`);

/**
 * KEYS nodes, reaping; ARGV self, leaseMs, max → the dead nodes this caller now reaps. A dead
 * node moves from `nodes` to `reaping` in one step, so exactly one caller gets it; a node
 * whose reaper died (lease passed) is handed out again.
 */
export const CLAIM = script(`${NOW_MS}
local lease = now + tonumber(ARGV[2])
local claimed = {}
for _, key in ipairs(KEYS) do
  local ids = redis.call('ZRANGEBYSCORE', key, '-inf', '(' .. now, 'LIMIT', 0, tonumber(ARGV[3]))
  for _, id in ipairs(ids) do
    if id ~= ARGV[1] then
      redis.call('ZREM', KEYS[1], id)
      redis.call('ZADD', KEYS[2], lease, id)
      table.insert(claimed, id)
    end
  end
end
return claimed
`);

/**
 * KEYS index of a dead node in one org; ARGV org key prefix (`<p>:{org}:`), node, batch →
 * {entries popped, channel, entry, channel, entry, ...} for the users whose count reached
 * zero. Pops at most `batch` entries, so one call blocks Redis for a bounded time; fewer
 * than `batch` means the index is now empty. The channel keys are built here rather than
 * passed in KEYS: they share the index's hash tag, so they are on its slot.
 */
export const REAP_ORG = script(`${HELPERS}
local popped = redis.call('SPOP', KEYS[1], tonumber(ARGV[3]))
local reply = {#popped}
for _, member in ipairs(popped) do
  local channel, session = splitMember(member)
  local entries = ARGV[1] .. 'presence:' .. channel
  local field = ARGV[2] .. '|' .. session
  local entry = redis.call('HGET', entries, field)
  if entry then
    redis.call('HDEL', entries, field)
    redis.call('ZREM', ARGV[1] .. 'presence-order:' .. channel, orderMember(field, entry))
    local users = ARGV[1] .. 'presence-users:' .. channel
    local user = userOf(entry)
    if redis.call('HINCRBY', users, user, -1) <= 0 then
      redis.call('HDEL', users, user)
      table.insert(reply, channel)
      table.insert(reply, entry)
    end
  end
end
return reply
`);

/** Every script, to load on each new connection. */
export const SCRIPTS: readonly Script[] = [ADD, REMOVE, UPDATE, PAGE, BEAT, LIVE, CLAIM, REAP_ORG];

/** Runs a script by its SHA; if Redis does not have it (SCRIPT FLUSH), sends it whole once. */
export async function runScript(
  redis: Redis,
  script: Script,
  keys: readonly string[],
  args: readonly string[],
): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    return await redis.eval(script.lua, keys.length, ...keys, ...args);
  }
}

/** Key names, in one place so the scripts' expectations above hold. */
export class PresenceKeys {
  readonly nodes: string;
  readonly reaping: string;

  constructor(private readonly prefix: string) {
    this.nodes = `${prefix}:{presence}:nodes`;
    this.reaping = `${prefix}:{presence}:reaping`;
  }

  /** The prefix REAP_ORG builds channel keys on. */
  orgPrefix(org: string): string {
    return `${this.prefix}:{${org}}:`;
  }
  entries(org: string, channel: string): string {
    return `${this.orgPrefix(org)}presence:${channel}`;
  }
  users(org: string, channel: string): string {
    return `${this.orgPrefix(org)}presence-users:${channel}`;
  }
  order(org: string, channel: string): string {
    return `${this.orgPrefix(org)}presence-order:${channel}`;
  }
  index(org: string, node: string): string {
    return `${this.orgPrefix(org)}presence-node:${node}`;
  }
  orgsOf(node: string): string {
    return `${this.prefix}:{presence}:orgs:${node}`;
  }
}

/**
 * Whether a channel keeps the order zset. Not the node's internal channels (`~…`, which no
 * client channel can be: cluster/user-slots.ts has one per user, holding every connection):
 * nobody pages them, and the index would cost about 130 bytes of Redis per connection.
 */
export const isPaged = (channel: string): boolean => !channel.startsWith('~');

/** A node's index member for one entry: the channel length-prefixed (in bytes, for Lua). */
export function indexMember(channel: string, session: string): string {
  return `${Buffer.byteLength(channel)}:${channel}${session}`;
}

/**
 * An entry as stored: device, info and its time as JSON, then a newline, then the user. JSON
 * never holds a raw newline, so the first one ends it, and the scripts find the user without a
 * JSON parser. Only these fields: callers may pass an object that holds more.
 */
export function encodeEntry(entry: PresenceEntry): string {
  const meta: { d?: string; i?: JsonValue; t?: number } = {};
  if (entry.device !== undefined) meta.d = entry.device;
  if (entry.info !== undefined) meta.i = entry.info;
  if (entry.infoAtMs !== undefined) meta.t = entry.infoAtMs;
  return `${JSON.stringify(meta)}\n${entry.user}`;
}

export function decodeEntry(stored: string): PresenceEntry {
  const newline = stored.indexOf('\n');
  const meta: unknown = JSON.parse(stored.slice(0, newline));
  const entry: PresenceEntry = { user: stored.slice(newline + 1) };
  if (typeof meta === 'object' && meta !== null) {
    if ('d' in meta && typeof meta.d === 'string') entry.device = meta.d;
    if ('i' in meta) entry.info = meta.i as JsonValue;
    if ('t' in meta && typeof meta.t === 'number') entry.infoAtMs = meta.t;
  }
  return entry;
}
