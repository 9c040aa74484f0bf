import type { LeaderboardDefinition, SortOrder } from './definition.js';
import { LeaderboardError } from './errors.js';

/** One attempt: a score and a subscore that breaks ties between equal scores. Negative values are allowed. */
export interface Attempt {
  score: number;
  subscore: number;
}

/** A player's standing on one board period. */
export interface ScoreRecord extends Attempt {
  /** Attempts that reached the board, including ones that did not improve a `best` record. */
  attempts: number;
  /** When the record last changed (ms since the epoch): among equal (score, subscore) the earlier ranks first. */
  updatedAt: number;
}

/** Scores stay exact in PostgreSQL bigint, Redis doubles and JavaScript numbers. */
export const SCORE_LIMIT = Number.MAX_SAFE_INTEGER;

function checkedValue(value: number, field: string): number {
  if (!Number.isSafeInteger(value)) throw new LeaderboardError('invalid_score', `${field} must be a whole number within ±${SCORE_LIMIT}`);
  return value;
}

function sum(a: number, b: number, field: string): number {
  const total = a + b;
  if (!Number.isSafeInteger(total)) throw new LeaderboardError('score_out_of_range', `${field} would leave ±${SCORE_LIMIT}`);
  return total;
}

/** Negative when `a` ranks before `b` on a board of `order`, positive when after, 0 when the values tie. */
export function compareAttempts(a: Attempt, b: Attempt, order: SortOrder): number {
  const sign = order === 'desc' ? -1 : 1;
  if (a.score !== b.score) return sign * (a.score - b.score);
  return sign * (a.subscore - b.subscore);
}

/**
 * The record after `attempt` at `now`, or undefined when the record does not change (a `best` attempt that is
 * not better than the record only counts as an attempt). `best` keeps the better (score, subscore) pair of one
 * attempt, never a score of one attempt with the subscore of another.
 */
export function applyAttempt(
  definition: Pick<LeaderboardDefinition, 'operator' | 'sortOrder'>,
  record: ScoreRecord | undefined,
  attempt: Attempt,
  now: number,
): { record: ScoreRecord; rankChanged: boolean } {
  const score = checkedValue(attempt.score, 'score');
  const subscore = checkedValue(attempt.subscore, 'subscore');
  const attempts = (record?.attempts ?? 0) + 1;
  if (!record) {
    const first = definition.operator === 'decr' ? { score: -score, subscore: -subscore } : { score, subscore };
    return { record: { ...first, attempts, updatedAt: now }, rankChanged: true };
  }
  switch (definition.operator) {
    case 'best':
      if (compareAttempts({ score, subscore }, record, definition.sortOrder) < 0) return { record: { score, subscore, attempts, updatedAt: now }, rankChanged: true };
      return { record: { ...record, attempts }, rankChanged: false };
    case 'set':
      return { record: { score, subscore, attempts, updatedAt: now }, rankChanged: true };
    case 'incr':
      return { record: { score: sum(record.score, score, 'score'), subscore: sum(record.subscore, subscore, 'subscore'), attempts, updatedAt: now }, rankChanged: true };
    case 'decr':
      return { record: { score: sum(record.score, -score, 'score'), subscore: sum(record.subscore, -subscore, 'subscore'), attempts, updatedAt: now }, rankChanged: true };
  }
}
