import { CronExpressionParser } from 'cron-parser';
import { LeaderboardError } from './errors.js';

/** How a new attempt combines with a player's record on the board. */
export type ScoreOperator = 'best' | 'set' | 'incr' | 'decr';
/** `desc`: higher scores rank first; `asc`: lower ones do (e.g. race times). */
export type SortOrder = 'desc' | 'asc';

export interface LeaderboardDefinition {
  id: string;
  sortOrder: SortOrder;
  operator: ScoreOperator;
  /** Five-field cron in UTC; each fire starts a new period. Without it the board has one period forever. */
  resetSchedule?: string;
  /** Seconds after each period start during which writes are accepted; the whole period when absent. */
  durationSeconds?: number;
  /** Records kept per period; a write that would rank below the last kept one is refused. */
  maxSize?: number;
}

const ID_PATTERN = /^[a-z0-9][a-z0-9_.:-]{0,63}$/;
const MAX_SIZE_LIMIT = 100_000_000;

/** Checks a definition and returns it; throws `invalid_definition` naming the field at fault. */
export function validateDefinition(definition: LeaderboardDefinition): LeaderboardDefinition {
  const refuse = (message: string): never => {
    throw new LeaderboardError('invalid_definition', message);
  };
  if (!ID_PATTERN.test(definition.id)) refuse('id must be 1-64 characters of a-z, 0-9, _ . : - starting with a letter or digit');
  if (definition.sortOrder !== 'desc' && definition.sortOrder !== 'asc') refuse('sort_order must be desc or asc');
  if (!['best', 'set', 'incr', 'decr'].includes(definition.operator)) refuse('operator must be best, set, incr or decr');
  if (definition.resetSchedule !== undefined) {
    try {
      CronExpressionParser.parse(definition.resetSchedule, { tz: 'UTC' });
    } catch (error) {
      refuse(`reset_schedule is not a valid cron expression: ${(error as Error).message}`);
    }
    if (definition.resetSchedule.trim().split(/\s+/).length !== 5) refuse('reset_schedule must have five fields (minute hour day month weekday)');
  }
  if (definition.durationSeconds !== undefined) {
    if (!Number.isInteger(definition.durationSeconds) || definition.durationSeconds <= 0) refuse('duration must be a positive whole number of seconds');
    if (definition.resetSchedule === undefined) refuse('duration needs a reset_schedule to count from');
  }
  if (definition.maxSize !== undefined && (!Number.isInteger(definition.maxSize) || definition.maxSize < 1 || definition.maxSize > MAX_SIZE_LIMIT)) {
    refuse(`max_size must be a whole number from 1 to ${MAX_SIZE_LIMIT}`);
  }
  return definition;
}
