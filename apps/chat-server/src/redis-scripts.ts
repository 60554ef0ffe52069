/**
 * The Redis adapter's Lua scripts. Each runs atomically in Redis, so a presence change and the
 * delta announcing it (PUBLISH on `<prefix>presence`) happen together: a replica that
 * subscribed to the presence channel before reading a snapshot misses nothing (see
 * `RedisAdapter#resync`). They implement the same ownership rules as `Presence` (presence.ts).
 *
 * Every script takes the key prefix as ARGV[1] and builds its keys from it, so the adapter
 * needs a single Redis node (or a Sentinel-managed primary), not Redis Cluster.
 *
 * Data layout (prefix `chat:` by default; README "Redis data layout"):
 *
 *   nicks                      HASH  nickKey → "<sid> <instance>"   (instance "-": held)
 *   sessions                   HASH  sid → nickKey                  (inbox kept while present)
 *   held                       ZSET  nickKey → ms when the hold ends
 *   members:<room>             HASH  nick → "<seq> <instance>"      (seq: joining order)
 *   rooms                      SET   rooms with members
 *   seq                        STRING counter for joining order
 *   instances                  SET   instance ids seen alive
 *   instance:<id>              STRING alive mark, PX = instance TTL (heartbeat)
 *   instance:<id>:nicks        SET   nick keys the instance owns
 *   instance:<id>:members      SET   "<room> <nick>" memberships the instance owns
 *   history:<room>             ZSET  "<id> <json>", all scores 0: ordered by id (BYLEX);
 *                                    trimmed to the history size every few appends
 *   inbox:<sid>                ZSET  same, for direct messages; PX = 2 × resume window
 *   history:<room>:floor, inbox:<sid>:floor   STRING id of the newest entry trimmed away
 *
 *   channels: room:<room>, inbox:<sid> (events: "<instance> <id> <json>"),
 *             presence (deltas: JSON [origin, [delta, …]]), control:<id> (JSON ["moved", sid])
 */

const PRELUDE = `
local P = ARGV[1]
local deltas = {}
local function split2(s)
  return string.match(s, '^(%S+) (%S+)$')
end
local function flush(origin)
  if #deltas > 0 then
    redis.call('PUBLISH', P .. 'presence', cjson.encode({origin, deltas}))
    deltas = {}
  end
end
local function forgetSession(sid, key)
  if redis.call('HGET', P .. 'sessions', sid) == key then
    redis.call('HDEL', P .. 'sessions', sid)
  end
end
-- Removes what instance 'dead' owns. hold: its nicks stay claimed for their sessions (owner
-- '-') until heldUntil, for a resume on another instance. lost: collects room, nick pairs.
local function dropInstance(dead, hold, heldUntil, lost)
  local nk = P .. 'instance:' .. dead .. ':nicks'
  for _, key in ipairs(redis.call('SMEMBERS', nk)) do
    local cur = redis.call('HGET', P .. 'nicks', key)
    if cur then
      local sid, inst = split2(cur)
      if inst == dead then
        if hold then
          redis.call('HSET', P .. 'nicks', key, sid .. ' -')
          redis.call('ZADD', P .. 'held', heldUntil, key)
          deltas[#deltas + 1] = {'n', key, sid, '-'}
        else
          redis.call('HDEL', P .. 'nicks', key)
          forgetSession(sid, key)
          deltas[#deltas + 1] = {'n-', key}
        end
      end
    end
  end
  redis.call('DEL', nk)
  local mi = P .. 'instance:' .. dead .. ':members'
  for _, entry in ipairs(redis.call('SMEMBERS', mi)) do
    local room, nick = split2(entry)
    local mk = P .. 'members:' .. room
    local cur = redis.call('HGET', mk, nick)
    if cur then
      local _, inst = split2(cur)
      if inst == dead then
        redis.call('HDEL', mk, nick)
        if redis.call('EXISTS', mk) == 0 then redis.call('SREM', P .. 'rooms', room) end
        deltas[#deltas + 1] = {'m-', room, nick}
        if lost then
          lost[#lost + 1] = room
          lost[#lost + 1] = nick
        end
      end
    end
  end
  redis.call('DEL', mi)
end
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

/** ARGV: prefix, nickKey, sid, instance → 1 claimed (or already this session's here), 0 taken. */
export const CLAIM = `${PRELUDE}
local key, sid, inst = ARGV[2], ARGV[3], ARGV[4]
local cur = redis.call('HGET', P .. 'nicks', key)
if cur then
  local csid, cinst = split2(cur)
  if csid ~= sid then return 0 end
  if cinst == inst then return 1 end
  if cinst == '-' then
    redis.call('ZREM', P .. 'held', key)
  else
    -- The session is resumed here while another instance holds it: that one must let go.
    redis.call('SREM', P .. 'instance:' .. cinst .. ':nicks', key)
    redis.call('PUBLISH', P .. 'control:' .. cinst, cjson.encode({'moved', sid}))
  end
end
redis.call('HSET', P .. 'nicks', key, sid .. ' ' .. inst)
redis.call('HSET', P .. 'sessions', sid, key)
redis.call('SADD', P .. 'instance:' .. inst .. ':nicks', key)
deltas[1] = {'n', key, sid, inst}
flush(inst)
return 1
`;

/** ARGV: prefix, nickKey, sid, instance → 1 released, 0 not this instance's. */
export const RELEASE = `${PRELUDE}
local key, sid, inst = ARGV[2], ARGV[3], ARGV[4]
if redis.call('HGET', P .. 'nicks', key) ~= sid .. ' ' .. inst then return 0 end
redis.call('HDEL', P .. 'nicks', key)
forgetSession(sid, key)
redis.call('SREM', P .. 'instance:' .. inst .. ':nicks', key)
deltas[1] = {'n-', key}
flush(inst)
return 1
`;

/** ARGV: prefix, room, nick, instance → 1 changed. Takes over another instance's entry. */
export const ADD_MEMBER = `${PRELUDE}
local room, nick, inst = ARGV[2], ARGV[3], ARGV[4]
local mk = P .. 'members:' .. room
local cur = redis.call('HGET', mk, nick)
local seq
if cur then
  local cseq, cinst = split2(cur)
  if cinst == inst then return 0 end
  redis.call('SREM', P .. 'instance:' .. cinst .. ':members', room .. ' ' .. nick)
  seq = cseq
else
  seq = redis.call('INCR', P .. 'seq')
  redis.call('SADD', P .. 'rooms', room)
end
redis.call('HSET', mk, nick, seq .. ' ' .. inst)
redis.call('SADD', P .. 'instance:' .. inst .. ':members', room .. ' ' .. nick)
deltas[1] = {'m', room, nick, inst}
flush(inst)
return 1
`;

/** ARGV: prefix, room, nick, instance → 1 removed, 0 not this instance's. */
export const REMOVE_MEMBER = `${PRELUDE}
local room, nick, inst = ARGV[2], ARGV[3], ARGV[4]
local mk = P .. 'members:' .. room
local cur = redis.call('HGET', mk, nick)
if not cur then return 0 end
local _, cinst = split2(cur)
if cinst ~= inst then return 0 end
redis.call('HDEL', mk, nick)
if redis.call('EXISTS', mk) == 0 then redis.call('SREM', P .. 'rooms', room) end
redis.call('SREM', P .. 'instance:' .. inst .. ':members', room .. ' ' .. nick)
deltas[1] = {'m-', room, nick}
flush(inst)
return 1
`;

/** ARGV: prefix, room, from, to, instance → 1 renamed. */
export const RENAME_MEMBER = `${PRELUDE}
local room, from, to, inst = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local mk = P .. 'members:' .. room
local cur = redis.call('HGET', mk, from)
if not cur then return 0 end
local seq, cinst = split2(cur)
if cinst ~= inst or redis.call('HEXISTS', mk, to) == 1 then return 0 end
redis.call('HDEL', mk, from)
redis.call('HSET', mk, to, seq .. ' ' .. inst)
local mi = P .. 'instance:' .. inst .. ':members'
redis.call('SREM', mi, room .. ' ' .. from)
redis.call('SADD', mi, room .. ' ' .. to)
deltas[1] = {'mr', room, from, to}
flush(inst)
return 1
`;

/**
 * ARGV: prefix, instance, ttl ms, resume window ms → {alive before (1/0), {reaped ids},
 * {room, nick, …} lost}. Marks this instance alive; declares dead every known instance whose
 * mark expired (memberships removed, nicks held for the resume window); releases held nicks
 * whose window passed (and their inboxes).
 */
export const HEARTBEAT = `${PRELUDE}
local inst, ttl, window = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local now = nowMs()
local was = redis.call('SET', P .. 'instance:' .. inst, '1', 'PX', ttl, 'GET')
redis.call('SADD', P .. 'instances', inst)
local reaped, lost = {}, {}
for _, other in ipairs(redis.call('SMEMBERS', P .. 'instances')) do
  if other ~= inst and redis.call('EXISTS', P .. 'instance:' .. other) == 0 then
    dropInstance(other, true, now + window, lost)
    redis.call('SREM', P .. 'instances', other)
    reaped[#reaped + 1] = other
  end
end
for _, key in ipairs(redis.call('ZRANGEBYSCORE', P .. 'held', '-inf', now)) do
  redis.call('ZREM', P .. 'held', key)
  local cur = redis.call('HGET', P .. 'nicks', key)
  if cur then
    local sid, cinst = split2(cur)
    if cinst == '-' then
      redis.call('HDEL', P .. 'nicks', key)
      if redis.call('HGET', P .. 'sessions', sid) == key then
        redis.call('HDEL', P .. 'sessions', sid)
        redis.call('DEL', P .. 'inbox:' .. sid, P .. 'inbox:' .. sid .. ':floor')
      end
      deltas[#deltas + 1] = {'n-', key}
    end
  end
end
flush('')
return {was and 1 or 0, reaped, lost}
`;

/**
 * ARGV: prefix, instance, ttl ms, n, then n × (nickKey, sid), then (room, nick) pairs →
 * {alive mark was there (1/0), {nickKey, sid, …} conflicts}. Replaces whatever Redis
 * holds for this instance by its current state (after a reconnect, or after it was presumed
 * dead). A nick now held by another session, or by this session on another instance, is a
 * conflict and is not claimed.
 */
export const SYNC = `${PRELUDE}
local inst, ttl, n = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local alive = redis.call('EXISTS', P .. 'instance:' .. inst)
dropInstance(inst, false, 0, nil)
local conflicts = {}
local i = 5
for _ = 1, n do
  local key, sid = ARGV[i], ARGV[i + 1]
  i = i + 2
  local cur = redis.call('HGET', P .. 'nicks', key)
  local ok = true
  if cur then
    local csid, cinst = split2(cur)
    if csid ~= sid or (cinst ~= '-' and cinst ~= inst) then ok = false end
    if ok and cinst == '-' then redis.call('ZREM', P .. 'held', key) end
  end
  if ok then
    redis.call('HSET', P .. 'nicks', key, sid .. ' ' .. inst)
    redis.call('HSET', P .. 'sessions', sid, key)
    redis.call('SADD', P .. 'instance:' .. inst .. ':nicks', key)
    deltas[#deltas + 1] = {'n', key, sid, inst}
  else
    conflicts[#conflicts + 1] = key
    conflicts[#conflicts + 1] = sid
  end
end
while i < #ARGV do
  local room, nick = ARGV[i], ARGV[i + 1]
  i = i + 2
  local mk = P .. 'members:' .. room
  if redis.call('HEXISTS', mk, nick) == 0 then
    local seq = redis.call('INCR', P .. 'seq')
    redis.call('HSET', mk, nick, seq .. ' ' .. inst)
    redis.call('SADD', P .. 'rooms', room)
    redis.call('SADD', P .. 'instance:' .. inst .. ':members', room .. ' ' .. nick)
    deltas[#deltas + 1] = {'m', room, nick, inst}
  end
end
redis.call('SET', P .. 'instance:' .. inst, '1', 'PX', ttl)
redis.call('SADD', P .. 'instances', inst)
flush(inst)
return {alive, conflicts}
`;

/** ARGV: prefix → {nicks HGETALL, room, members HGETALL, room, …}: the whole presence. */
export const SNAPSHOT = `
local P = ARGV[1]
local out = {redis.call('HGETALL', P .. 'nicks')}
for _, room in ipairs(redis.call('SMEMBERS', P .. 'rooms')) do
  out[#out + 1] = room
  out[#out + 1] = redis.call('HGETALL', P .. 'members:' .. room)
end
return out
`;

/** ARGV: prefix, instance: a graceful goodbye — everything the instance owns goes. */
export const GOODBYE = `${PRELUDE}
local inst = ARGV[2]
dropInstance(inst, false, 0, nil)
redis.call('DEL', P .. 'instance:' .. inst)
redis.call('SREM', P .. 'instances', inst)
flush(inst)
return 1
`;

const TRIM_BODY = `
local n = redis.call('ZCARD', hk)
if n > size then
  local gone = redis.call('ZRANGE', hk, n - size - 1, n - size - 1)
  redis.call('ZREMRANGEBYRANK', hk, 0, n - size - 1)
  local id = string.match(gone[1], '^%S+')
  local floor = redis.call('GET', hk .. ':floor')
  if not floor or floor < id then redis.call('SET', hk .. ':floor', id) end
end
if ttl > 0 then
  redis.call('PEXPIRE', hk, ttl)
  if redis.call('EXISTS', hk .. ':floor') == 1 then redis.call('PEXPIRE', hk .. ':floor', ttl) end
end`;

/**
 * ARGV: prefix, history key, size, ttl ms (0: none). Trims the history to its newest `size`
 * entries and remembers the newest id trimmed away (the "floor", for `truncated`). The hot path
 * appends with a plain ZADD and trims only every few appends: a script call costs Redis about
 * ten times a ZADD.
 */
export const TRIM = `
local P, hk, size, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
${TRIM_BODY}
return n
`;

/**
 * ARGV: prefix, history key, member ("<id> <json>"), size, ttl ms (0: none): adds the entry
 * (the same entry twice is kept once) and trims (history re-written after an outage).
 */
export const APPEND = `
local P, hk, member, size, ttl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
redis.call('ZADD', hk, 0, member)
${TRIM_BODY}
return n
`;

/**
 * ARGV: prefix, instance, then per entry: history key ('' = no append), channel ('' = no
 * publish), "<id> <json>", ttl ms. The hot path: a turn's appends and publishes in one call, in
 * order; the published text is "<instance> <id> <json>".
 */
export const BATCH = `
local inst = ARGV[2]
for i = 3, #ARGV, 4 do
  local hk, ch, member, ttl = ARGV[i], ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3])
  if hk ~= '' then
    redis.call('ZADD', hk, 0, member)
    if ttl > 0 then redis.call('PEXPIRE', hk, ttl) end
  end
  if ch ~= '' then redis.call('PUBLISH', ch, inst .. ' ' .. member) end
end
return 1
`;

/** ARGV: prefix, sid: drops the inbox unless a nick is still claimed for the session. */
export const DROP_INBOX = `
local P, sid = ARGV[1], ARGV[2]
if redis.call('HEXISTS', P .. 'sessions', sid) == 1 then return 0 end
redis.call('DEL', P .. 'inbox:' .. sid, P .. 'inbox:' .. sid .. ':floor')
return 1
`;

export const SCRIPTS = {
  chatClaim: CLAIM,
  chatRelease: RELEASE,
  chatAddMember: ADD_MEMBER,
  chatRemoveMember: REMOVE_MEMBER,
  chatRenameMember: RENAME_MEMBER,
  chatHeartbeat: HEARTBEAT,
  chatSync: SYNC,
  chatSnapshot: SNAPSHOT,
  chatGoodbye: GOODBYE,
  chatAppend: APPEND,
  chatTrim: TRIM,
  chatBatch: BATCH,
  chatDropInbox: DROP_INBOX,
} as const;
