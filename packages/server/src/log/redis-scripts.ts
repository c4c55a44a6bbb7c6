/**
 * The Redis log's Lua scripts. Each runs atomically on the server, which is what makes N nodes
 * one log: an append takes its seqs, checks its idempotency keys, stores its events, trims
 * retention and publishes the events to the broker channel in one step, so every node receives
 * a tenant's events in log order (issue 11), and no event is published that the log lacks.
 *
 * Shared keys: KEYS[1] the epoch, KEYS[2] the org's seq, KEYS[3] the org's stream. Stream entry
 * ids are `<seq>-0`, so a seq range is an id range (XRANGE), and the entry's one field `e` is
 * the event line (redis/event-line.ts), whose leading digits are its timestamp.
 */

/** Helpers both scripts start with. */
const PRELUDE = `
local function epoch_of(key, candidate)
  local e = redis.call('GET', key)
  if not e then
    redis.call('SET', key, candidate)
    e = candidate
  end
  return e
end

local function seq_of(id)
  return tonumber(string.match(id, '^%d+'))
end

local function ts_of(entry)
  return tonumber(string.match(entry[2][2], '^%d+'))
end

-- Drops events older than cutoff from the front (they are oldest first).
local function trim_age(stream, cutoff)
  local first = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)
  if #first == 0 or ts_of(first[1]) >= cutoff then return end
  while true do
    local r = redis.call('XRANGE', stream, '-', '+', 'COUNT', 100)
    if #r == 0 then return end
    for i = 1, #r do
      if ts_of(r[i]) >= cutoff then
        redis.call('XTRIM', stream, 'MINID', r[i][1])
        return
      end
    end
    redis.call('XTRIM', stream, 'MINID', (seq_of(r[#r][1]) + 1) .. '-0')
  end
end

local function first_seq(stream, head)
  local first = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)
  if #first == 0 then return head + 1 end
  return seq_of(first[1][1])
end
`;

/**
 * append. KEYS[4] the set of orgs, KEYS[5..] idempotency keys.
 * ARGV: [1] candidate epoch, [2] cutoff ms (age retention), [3] history size, [4] key TTL s,
 * [5] broker channel, [6] broker header, [7] org, [8] item count, then per item: the index of
 * its idempotency key in KEYS (0: none) and its line.
 * Returns { epoch, then per item: seq, and the stored line of a duplicate or '' }.
 */
export const APPEND_SCRIPT = `${PRELUDE}
local epoch = epoch_of(KEYS[1], ARGV[1])
local cutoff = tonumber(ARGV[2])
local size = tonumber(ARGV[3])
trim_age(KEYS[3], cutoff)
local out = { epoch }
local fresh = {}
local first = nil
local n = tonumber(ARGV[8])
for i = 0, n - 1 do
  local ki = tonumber(ARGV[9 + 2 * i])
  local line = ARGV[10 + 2 * i]
  local prior = nil
  if ki > 0 then
    local s = redis.call('GET', KEYS[ki])
    if s then
      local hit = redis.call('XRANGE', KEYS[3], s .. '-0', s .. '-0')
      if #hit > 0 then prior = { tonumber(s), hit[1][2][2] } end
    end
  end
  if prior then
    out[#out + 1] = prior[1]
    out[#out + 1] = prior[2]
  else
    local seq = redis.call('INCR', KEYS[2])
    redis.call('XADD', KEYS[3], 'MAXLEN', size, seq .. '-0', 'e', line)
    if ki > 0 then redis.call('SET', KEYS[ki], seq, 'EX', ARGV[4]) end
    if not first then first = seq end
    fresh[#fresh + 1] = line
    out[#out + 1] = seq
    out[#out + 1] = ''
  end
end
if first then
  redis.call('SADD', KEYS[4], ARGV[7])
  redis.call('PUBLISH', ARGV[5], first .. '\\n' .. epoch .. '\\n' .. ARGV[6] .. '\\n' .. table.concat(fresh, '\\n'))
end
return out
`;

/**
 * state: the org's epoch, head and first retained seq, after age retention.
 * ARGV: [1] candidate epoch, [2] cutoff ms. Returns { epoch, head, first }.
 */
export const STATE_SCRIPT = `${PRELUDE}
local epoch = epoch_of(KEYS[1], ARGV[1])
trim_age(KEYS[3], tonumber(ARGV[2]))
local head = tonumber(redis.call('GET', KEYS[2]) or '0')
return { epoch, head, first_seq(KEYS[3], head) }
`;
