import { CronExpressionParser } from 'cron-parser';
import type { LeaderboardDefinition } from './definition.js';
import { LeaderboardError } from './errors.js';

/** One period of a board: records of different periods never mix, and old periods stay readable. */
export interface Period {
  /** Epoch seconds of the period's start; 0 for a board without a reset schedule. */
  id: number;
  start: Date | undefined;
  /** When the next period starts; undefined for a board without a reset schedule. */
  end: Date | undefined;
  /** When writes stop being accepted: `start + duration`, else `end`. */
  closesAt: Date | undefined;
}

const FOREVER: Period = { id: 0, start: undefined, end: undefined, closesAt: undefined };

/** The period that holds `now` (a fire of the schedule exactly at `now` starts the new period). */
export function periodAt(definition: Pick<LeaderboardDefinition, 'resetSchedule' | 'durationSeconds'>, now: Date): Period {
  if (definition.resetSchedule === undefined) return FOREVER;
  const after = (at: Date) => CronExpressionParser.parse(definition.resetSchedule!, { tz: 'UTC', currentDate: at });
  const start = after(new Date(now.getTime() + 1)).prev().toDate();
  const end = after(now).next().toDate();
  const windowEnd = definition.durationSeconds === undefined ? end : new Date(Math.min(end.getTime(), start.getTime() + definition.durationSeconds * 1000));
  return { id: Math.floor(start.getTime() / 1000), start, end, closesAt: windowEnd };
}

/** The period a write at `now` goes to; throws `outside_window` between a period's window and the next period. */
export function writablePeriod(definition: Pick<LeaderboardDefinition, 'resetSchedule' | 'durationSeconds'>, now: Date): Period {
  const period = periodAt(definition, now);
  if (period.closesAt && now.getTime() >= period.closesAt.getTime()) {
    throw new LeaderboardError('outside_window', `this period closed for writes at ${period.closesAt.toISOString()}; the next opens at ${period.end!.toISOString()}`);
  }
  return period;
}

/** The rank index's name for one period of a board. */
export const periodIndexName = (boardId: string, periodId: number) => `${boardId}:${periodId}`;

/** How long the index of an ended period is kept for readers; a later read rebuilds it from the database. */
export const CLOSED_INDEX_TTL_SECONDS = 3600;
