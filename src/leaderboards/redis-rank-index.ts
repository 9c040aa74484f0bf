import type { Redis } from 'ioredis';
import { newestPerPlayer, type PlayerEntry, type RankEntry, type RankIndex } from './rank-index.js';
import { playerOfMember } from './ranking.js';

// KEYS: the sorted set and the player → "version member" hash. Replacing the old member and adding the new one
// is one atomic step, so a concurrent reader never sees a player twice or not at all.
const PUT_SCRIPT = `
local held = redis.call('HGET', KEYS[2], ARGV[1])
if held then
  local space = string.find(held, ' ', 1, true)
  if tonumber(string.sub(held, 1, space - 1)) > tonumber(ARGV[4]) then return 0 end
  redis.call('ZREM', KEYS[1], string.sub(held, space + 1))
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[4] .. ' ' .. ARGV[3])
return 1`;

// PUT_SCRIPT for many players (ARGV: player, score, member, version, …), with one command of each kind rather
// than three per player: a rebuild of a million entries would otherwise spend more time in Lua calls than in
// the sorted set.
const PUT_MANY_SCRIPT = `
local players = {}
for i = 1, #ARGV, 4 do players[#players + 1] = ARGV[i] end
local held = redis.call('HMGET', KEYS[2], unpack(players))
local ranks, members, replaced = {}, {}, {}
for j, player in ipairs(players) do
  local i = j * 4 - 3
  local newer = true
  if held[j] then
    local space = string.find(held[j], ' ', 1, true)
    if tonumber(string.sub(held[j], 1, space - 1)) > tonumber(ARGV[i + 3]) then newer = false
    else replaced[#replaced + 1] = string.sub(held[j], space + 1) end
  end
  if newer then
    ranks[#ranks + 1] = ARGV[i + 1]
    ranks[#ranks + 1] = ARGV[i + 2]
    members[#members + 1] = player
    members[#members + 1] = ARGV[i + 3] .. ' ' .. ARGV[i + 2]
  end
end
if #replaced > 0 then redis.call('ZREM', KEYS[1], unpack(replaced)) end
if #ranks > 0 then
  redis.call('ZADD', KEYS[1], unpack(ranks))
  redis.call('HSET', KEYS[2], unpack(members))
end`;
/**
 * Players per PUT_MANY_SCRIPT call: Lua's unpack takes at most about 8,000 values (ranks holds two per player),
 * and a shorter script keeps Redis from blocking other clients for long (10-15 ms for 1,000 here).
 */
const PUT_MANY_BATCH = 1_000;

const REMOVE_SCRIPT = `
local held = redis.call('HGET', KEYS[2], ARGV[1])
if held then
  redis.call('ZREM', KEYS[1], string.sub(held, string.find(held, ' ', 1, true) + 1))
  redis.call('HDEL', KEYS[2], ARGV[1])
end`;

const RANK_SCRIPT = `
local held = redis.call('HGET', KEYS[2], ARGV[1])
if not held then return false end
return redis.call('ZRANK', KEYS[1], string.sub(held, string.find(held, ' ', 1, true) + 1))`;

interface RankCommands {
  gamev1RankPut(set: string, members: string, playerId: string, score: number, member: string, version: number): Promise<unknown>;
  gamev1RankPutMany(set: string, members: string, ...playerScoreMemberVersion: (string | number)[]): Promise<unknown>;
  gamev1RankRemove(set: string, members: string, playerId: string): Promise<unknown>;
  gamev1RankOf(set: string, members: string, playerId: string): Promise<number | null>;
}

/** Ranks in a Redis sorted set per board period, shared by every node; a hash maps players to their member. */
export class RedisRankIndex implements RankIndex {
  private readonly commands: RankCommands;

  constructor(
    private readonly redis: Redis,
    /** Key namespace of this index, e.g. `lb:` */
    private readonly prefix = 'lb:',
  ) {
    redis.defineCommand('gamev1RankPut', { numberOfKeys: 2, lua: PUT_SCRIPT });
    redis.defineCommand('gamev1RankPutMany', { numberOfKeys: 2, lua: PUT_MANY_SCRIPT });
    redis.defineCommand('gamev1RankRemove', { numberOfKeys: 2, lua: REMOVE_SCRIPT });
    redis.defineCommand('gamev1RankOf', { numberOfKeys: 2, lua: RANK_SCRIPT });
    this.commands = redis as unknown as RankCommands;
  }

  private keys(period: string): [string, string] {
    return [`${this.prefix}{${period}}:ranks`, `${this.prefix}{${period}}:members`];
  }

  async put(period: string, playerId: string, entry: RankEntry): Promise<void> {
    await this.commands.gamev1RankPut(...this.keys(period), playerId, entry.score, entry.member, entry.version);
  }

  // The batches go out back to back on one connection, so they travel as one pipeline.
  async putMany(period: string, entries: readonly PlayerEntry[]): Promise<void> {
    const keys = this.keys(period);
    const flat = [...newestPerPlayer(entries)].flatMap(([playerId, entry]) => [playerId, entry.score, entry.member, entry.version]);
    const calls: Promise<unknown>[] = [];
    for (let start = 0; start < flat.length; start += PUT_MANY_BATCH * 4) {
      calls.push(this.commands.gamev1RankPutMany(...keys, ...flat.slice(start, start + PUT_MANY_BATCH * 4)));
    }
    await Promise.all(calls);
  }

  async remove(period: string, playerId: string): Promise<void> {
    await this.commands.gamev1RankRemove(...this.keys(period), playerId);
  }

  async rankOf(period: string, playerId: string): Promise<number | undefined> {
    return (await this.commands.gamev1RankOf(...this.keys(period), playerId)) ?? undefined;
  }

  async range(period: string, start: number, count: number): Promise<string[]> {
    const from = Math.max(0, start);
    const to = start + count - 1;
    if (count <= 0 || to < from) return [];
    const members = await this.redis.zrange(this.keys(period)[0], from, String(to));
    return members.map((member) => playerOfMember(member));
  }

  size(period: string): Promise<number> {
    return this.redis.zcard(this.keys(period)[0]);
  }

  async clear(period: string): Promise<void> {
    // UNLINK frees a large set in the background, where DEL blocks Redis for about a second per million entries.
    await this.redis.unlink(...this.keys(period));
  }

  async expire(period: string, seconds: number): Promise<void> {
    const [ranks, members] = this.keys(period);
    await this.redis.multi().expire(ranks, seconds).expire(members, seconds).exec();
  }
}
