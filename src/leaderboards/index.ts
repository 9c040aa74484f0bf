import { RedisCache, type Cache } from '../cache/index.js';
import { MemoryRankIndex } from './memory-rank-index.js';
import type { RankIndex } from './rank-index.js';
import { RedisRankIndex } from './redis-rank-index.js';

export { validateDefinition, type LeaderboardDefinition, type ScoreOperator, type SortOrder } from './definition.js';
export { LeaderboardError, type LeaderboardErrorCode } from './errors.js';
export { periodAt, periodIndexName, writablePeriod, type Period } from './periods.js';
export { compareRecords, playerOfMember, sortedSetEntry, type RankedRecord } from './ranking.js';
export { applyAttempt, compareAttempts, SCORE_LIMIT, type Attempt, type ScoreRecord } from './scoring.js';
export { MemoryRankIndex } from './memory-rank-index.js';
export type { RankEntry, RankIndex } from './rank-index.js';
export { RedisRankIndex } from './redis-rank-index.js';
export { BUILT_IN_PREFIX, Leaderboards, type BoardWrite, type IndexAfterCommit, type LeaderboardEntry, type PeriodChoice } from './service.js';
export { LeaderboardSweep, type ClosedPeriod, type PeriodClosedHook, type SweepEvents } from './sweep.js';
export { RatingBoards, ratingBoardId, type RatedGameRecord } from './rating-boards.js';

/** Ranks shared through Redis when the cache is Redis, else in this process. */
export function openRankIndex(cache: Cache): RankIndex {
  return cache instanceof RedisCache ? new RedisRankIndex(cache.client) : new MemoryRankIndex();
}
