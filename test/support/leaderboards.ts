import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { players } from '../../src/auth/index.js';
import { MemoryRankIndex, RedisRankIndex, type RankIndex } from '../../src/leaderboards/index.js';
import { migrate, openDatabase, type Database } from '../../src/store/index.js';
import { dropIsolation, testConfig } from './server.js';

/**
 * This run's backends for leaderboard tests, opened before the file's tests and cleaned up after: the database
 * (PostgreSQL or PGlite) and, with REDIS_URL, a Redis client whose keys live under the run's prefix.
 */
export function useLeaderboardBackends() {
  const config = testConfig();
  let sharedMemory: MemoryRankIndex | undefined;
  const backends = {
    config,
    db: undefined as unknown as Database,
    redis: undefined as Redis | undefined,
    /** A rank index on this run's cache: each call is another node's handle on the same ranks. */
    rankIndex(namespace = 'lb:'): RankIndex {
      if (!backends.redis) return namespace === 'lb:' ? (sharedMemory ??= new MemoryRankIndex()) : new MemoryRankIndex();
      return new RedisRankIndex(backends.redis, `${config.redis.keyPrefix}${namespace}`);
    },
    async newPlayers(count: number, prefix: string): Promise<string[]> {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        ids.push((await players.insert(backends.db, { email: null, displayName: `${prefix}${i}`, passwordHash: null, isGuest: true }))!.id);
      }
      return ids;
    },
  };
  beforeAll(async () => {
    backends.db = await openDatabase(config.database);
    await migrate(backends.db);
    if (config.redis.url) backends.redis = new Redis(config.redis.url);
  });
  afterAll(async () => {
    if (backends.redis) {
      const keys = await backends.redis.keys(`${config.redis.keyPrefix}*`);
      if (keys.length > 0) await backends.redis.del(...keys);
      await backends.redis.quit();
    }
    await backends.db?.close();
    await dropIsolation(config);
  });
  return backends;
}
