/**
 * What the servers of a cluster keep in Redis, and the Lua scripts that change it atomically.
 *
 * Keys (all under the cluster's prefix P):
 * - `P inst:<server>`  — the server is alive; set with a TTL of `presenceTtlMs`, refreshed every
 *   third of it. Everything a server wrote is read through it: once it expires, the server's
 *   peers are dead to the others, with no one having to clean up after it.
 * - `P id:<peer>`      — `"<server> <key hash>"`: which server holds this peer id, and the hash of
 *   the incarnation key it was claimed with (SHA-256, hex; `-` for none). Refreshed slowly.
 * - `P group:<name>`   — a sorted set of `"<peer> <server>"` members scored by `P seq`, the
 *   cluster-wide order of joining. Refreshed slowly.
 * - `P seq`            — the counter behind that order.
 *
 * Channels: `P groups` carries the name of each group whose membership changed; `P to:<server>`
 * carries what one server asks of another (a relayed signal, an eviction, an unreachable peer).
 *
 * The scripts read keys they were not passed (the liveness of other servers), so they need one
 * Redis (with replicas or Sentinel if you like), not a Redis Cluster: documented in the README.
 */

/** The keys and channels of one cluster. */
export class ClusterKeys {
  constructor(readonly prefix: string) {}

  instance(server: string): string {
    return `${this.prefix}inst:${server}`;
  }

  id(peer: string): string {
    return `${this.prefix}id:${peer}`;
  }

  group(name: string): string {
    return `${this.prefix}group:${name}`;
  }

  get seq(): string {
    return `${this.prefix}seq`;
  }

  get groupsChannel(): string {
    return `${this.prefix}groups`;
  }

  inbox(server: string): string {
    return `${this.prefix}to:${server}`;
  }
}

/** Shared by the scripts: drop the entries of dead servers from group KEYS[1]; ARGV[1] is the prefix. */
const LIVE_ENTRIES = `
local alive = {}
local function live_entries()
  local out = {}
  local flat = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
  for i = 1, #flat, 2 do
    local entry = flat[i]
    local server = string.match(entry, ' (%S+)$')
    local ok = alive[server]
    if ok == nil then
      ok = redis.call('EXISTS', ARGV[1] .. 'inst:' .. server) == 1
      alive[server] = ok
    end
    if ok then table.insert(out, { entry, flat[i + 1] }) else redis.call('ZREM', KEYS[1], entry) end
  end
  return out
end
`;

/**
 * Reads group KEYS[1]: `[entry, seq, entry, seq, …]` of live servers, in order of joining.
 * ARGV: prefix.
 */
export const READ_GROUP = `${LIVE_ENTRIES}
local out = {}
for _, e in ipairs(live_entries()) do table.insert(out, e[1]); table.insert(out, e[2]) end
return out
`;

/**
 * Adds `"<peer> <server>"` to group KEYS[1] (KEYS[2]: the seq counter) unless the group holds
 * `limit` live peers: returns the entry's seq, or -1 when full. ARGV: prefix, peer, server,
 * limit, key TTL in ms.
 */
export const JOIN_GROUP = `${LIVE_ENTRIES}
local mine = ARGV[2] .. ' ' .. ARGV[3]
local live = live_entries()
for _, e in ipairs(live) do if e[1] == mine then return tonumber(e[2]) end end
if #live >= tonumber(ARGV[4]) then return -1 end
local seq = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[1], seq, mine)
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return seq
`;

/**
 * Claims peer id KEYS[1] for this server. ARGV: prefix, server, key hash, key TTL in ms.
 * Returns `'ok'`, `'taken'` (a live server holds it under another key), or `'moved <server>'`
 * (a live server held it under the same key: that server must evict its socket).
 */
export const CLAIM_ID = `
local current = redis.call('GET', KEYS[1])
local result = 'ok'
if current then
  local owner, hash = string.match(current, '^(%S+) (%S+)$')
  if owner and owner ~= ARGV[2] and redis.call('EXISTS', ARGV[1] .. 'inst:' .. owner) == 1 then
    if hash == '-' or hash ~= ARGV[3] then return 'taken' end
    result = 'moved ' .. owner
  end
end
redis.call('SET', KEYS[1], ARGV[2] .. ' ' .. ARGV[3], 'PX', ARGV[4])
return result
`;

/** Frees peer id KEYS[1] if this server (ARGV[1]) still holds it under key hash ARGV[2]. */
export const RELEASE_ID = `
if redis.call('GET', KEYS[1]) == ARGV[1] .. ' ' .. ARGV[2] then redis.call('DEL', KEYS[1]) end
return 0
`;
