import type { Redis } from 'ioredis';
import type { RankEntry, RankIndex } from './rank-index.js';
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
    await this.redis.del(...this.keys(period));
  }
}
